using AkkaRlhf.Runtime;
using AkkaRlhf.TestKit;
using Xunit.Abstractions;

namespace AkkaRlhf.Runtime.Tests;

public sealed class ActorLifecycleSpec(ITestOutputHelper output) : TestKit.TestKit(output)
{
    [Fact]
    public void Actor_must_run_PreStart_before_its_first_message_and_PostStop_when_stopped()
    {
        var actor = Sys.ActorOf(Props.Create(() => new LifecycleActor(TestActor)), "life");
        actor.Tell("hello");
        ExpectMsg("PreStart");
        ExpectMsg("hello");
        Sys.Stop(actor);
        ExpectMsg("PostStop");
    }

    [Fact]
    public void Restart_must_call_PreRestart_with_the_failing_message_then_PostRestart_on_a_fresh_instance()
    {
        var actor = Sys.ActorOf(Props.Create(() => new LifecycleActor(TestActor)));
        ExpectMsg("PreStart");
        actor.Tell("fail");
        ExpectMsg("PreRestart:boom:fail");
        ExpectMsg("PostStop");
        ExpectMsg("PostRestart");
        ExpectMsg("PreStart");
        actor.Tell("after");
        ExpectMsg("after");
    }

    [Fact]
    public void Restarted_actor_must_keep_its_mailbox()
    {
        var gate = new TaskCompletionSource();
        var actor = Sys.ActorOf(Props.CreateBy(() => new GatedActor(gate.Task, TestActor)));
        actor.Tell("block");
        ExpectMsg("blocked");
        actor.Tell("fail");
        for (var i = 0; i < 5; i++) actor.Tell(i);
        gate.SetResult();
        ExpectMsg("restarted");
        for (var i = 0; i < 5; i++) ExpectMsg(i);
    }

    [Fact]
    public void Actor_names_must_be_unique_among_living_siblings()
    {
        Sys.ActorOf(Props.Create<EchoActor>(), "same");
        Assert.Throws<InvalidActorNameException>(() => Sys.ActorOf(Props.Create<EchoActor>(), "same"));
    }

    [Fact]
    public void Actor_path_must_live_under_user_with_the_local_address()
    {
        var actor = Sys.ActorOf(Props.Create<EchoActor>(), "pathy");
        Assert.Equal($"akka://{Sys.Name}/user/pathy", actor.Path.ToString());
        Assert.True(actor.Path.Address.HasLocalScope);
        Assert.Equal(actor, Sys.ResolveActorRef(actor.Path.ToString()));
        Assert.Equal(actor.Path, ActorPath.Parse(actor.Path.ToString()));
    }

    [Fact]
    public void Creating_an_actor_with_new_must_fail_with_a_clear_error()
    {
        var e = Assert.Throws<InvalidOperationException>(() => new EchoActor());
        Assert.Contains("ActorOf", e.Message);
    }

    [Fact]
    public void Context_must_expose_parent_children_and_child_by_name()
    {
        var parent = Sys.ActorOf(Props.CreateBy(() => new FamilyActor()), "family");
        parent.Tell("inspect");
        ExpectMsg("parent=/user;child=/user/family/kid;children=1");
    }

    private sealed class FamilyActor : ReceiveActor
    {
        public FamilyActor()
        {
            var kid = Context.ActorOf(Props.Create<EchoActor>(), "kid");
            Receive<string>(_ => Sender.Tell(
                $"parent={Context.Parent.Path.ToStringWithoutAddress()};child={Context.Child("kid")!.Path.ToStringWithoutAddress()};children={Context.Children.Count()}"));
        }
    }

    /// <summary>Waits on a gate in an async handler so later messages queue up; fails on "fail".</summary>
    private sealed class GatedActor : ReceiveActor
    {
        private readonly IActorRef _probe;

        public GatedActor(Task gate, IActorRef probe)
        {
            _probe = probe;
            ReceiveAsync<string>(async _ =>
            {
                probe.Tell("blocked");
                await gate;
            }, s => s == "block");
            Receive<string>(s => s == "fail", _ => throw new InvalidOperationException("fail"));
            Receive<int>(i => probe.Tell(i));
        }

        protected override void PostRestart(Exception reason) => _probe.Tell("restarted");
    }
}
