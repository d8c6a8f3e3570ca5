using AkkaRlhf.Runtime;
using AkkaRlhf.Runtime.Event;
using Xunit.Abstractions;

namespace AkkaRlhf.Runtime.Tests;

public sealed class DeadLettersSpec(ITestOutputHelper output) : TestKit.TestKit(output)
{
    [Fact]
    public void Messages_to_a_stopped_actor_must_reach_dead_letters()
    {
        var actor = Sys.ActorOf(Props.Create<EchoActor>());
        Watch(actor);
        Sys.Stop(actor);
        ExpectTerminated(actor);
        Sys.EventStream.Subscribe(TestActor, typeof(DeadLetter));
        actor.Tell("lost");
        var letter = ExpectMsg<DeadLetter>();
        Assert.Equal("lost", letter.Message);
        Assert.Equal(actor, letter.Recipient);
        Assert.Equal(TestActor, letter.Sender);
    }

    [Fact]
    public void Messages_queued_when_an_actor_stops_must_reach_dead_letters()
    {
        Sys.EventStream.Subscribe(TestActor, typeof(DeadLetter));
        var gate = new TaskCompletionSource();
        var actor = Sys.ActorOf(Props.Create(() => new StopOnGate(gate.Task)));
        actor.Tell("stop");
        actor.Tell("queued");
        gate.SetResult();
        Assert.Equal("queued", ExpectMsg<DeadLetter>().Message);
    }

    [Fact]
    public void Identify_to_a_stopped_actor_must_answer_with_no_subject()
    {
        var actor = Sys.ActorOf(Props.Create<EchoActor>());
        Watch(actor);
        Sys.Stop(actor);
        ExpectTerminated(actor);
        actor.Tell(new Identify("id"));
        var identity = ExpectMsg<ActorIdentity>();
        Assert.Null(identity.Subject);
        Sys.ResolveActorRef("/user/never-existed").Tell(new Identify("id2"));
        Assert.Null(ExpectMsg<ActorIdentity>().Subject);
    }

    [Fact]
    public void Tell_to_DeadLetters_must_publish_a_DeadLetter()
    {
        Sys.EventStream.Subscribe(TestActor, typeof(DeadLetter));
        Sys.DeadLetters.Tell("direct");
        Assert.Equal("direct", ExpectMsg<DeadLetter>().Message);
    }

    private sealed class StopOnGate : ReceiveActor
    {
        public StopOnGate(Task gate) => ReceiveAsync<string>(async _ =>
        {
            await gate;
            Context.Stop(Self);
        });
    }
}
