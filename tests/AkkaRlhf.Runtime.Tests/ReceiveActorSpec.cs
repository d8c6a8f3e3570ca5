using AkkaRlhf.Runtime;
using AkkaRlhf.Runtime.Event;
using Xunit.Abstractions;

namespace AkkaRlhf.Runtime.Tests;

public sealed class ReceiveActorSpec(ITestOutputHelper output) : TestKit.TestKit(output)
{
    [Fact]
    public void Receive_must_pick_the_first_handler_whose_type_and_predicate_match()
    {
        var actor = Sys.ActorOf(Props.CreateBy(() => new TypedActor()));
        actor.Tell(5);
        actor.Tell(-5);
        actor.Tell("text");
        actor.Tell(2.5);
        ExpectMsg("positive 5");
        ExpectMsg("int -5");
        ExpectMsg("string text");
        ExpectMsg("any 2.5");
    }

    [Fact]
    public void Unhandled_message_must_be_published_as_UnhandledMessage()
    {
        Sys.EventStream.Subscribe(TestActor, typeof(UnhandledMessage));
        var actor = Sys.ActorOf(Props.CreateBy(() => new OnlyStrings()));
        actor.Tell(42);
        var unhandled = ExpectMsg<UnhandledMessage>();
        Assert.Equal(42, unhandled.Message);
        Assert.Equal(actor, unhandled.Recipient);
        Assert.Equal(TestActor, unhandled.Sender);
    }

    [Fact]
    public void Become_and_Unbecome_must_switch_behaviors()
    {
        var actor = Sys.ActorOf(Props.CreateBy(() => new MoodActor()));
        actor.Tell("how");
        ExpectMsg("calm");
        actor.Tell("anger");
        actor.Tell("how");
        ExpectMsg("angry");
        actor.Tell("anger");
        actor.Tell("how");
        ExpectMsg("furious");
        actor.Tell("relax");
        actor.Tell("how");
        ExpectMsg("angry");
        actor.Tell("relax");
        actor.Tell("how");
        ExpectMsg("calm");
    }

    [Fact]
    public void Become_must_replace_the_behavior_without_stacking()
    {
        var actor = Sys.ActorOf(Props.CreateBy(() => new ToggleActor()));
        actor.Tell("toggle");
        actor.Tell("toggle");
        actor.Tell("state");
        ExpectMsg("off");
    }

    [Fact]
    public async Task ReceiveAsync_must_suspend_the_mailbox_until_the_handler_completes()
    {
        var gate = new TaskCompletionSource();
        var actor = Sys.ActorOf(Props.CreateBy(() => new AsyncActor(gate.Task)));
        actor.Tell("slow");
        actor.Tell("fast");
        await ExpectMsgAsync("slow started");
        await ExpectNoMsgAsync();
        gate.SetResult();
        await ExpectMsgAsync("slow done by sender " + TestActor.Path.Name);
        await ExpectMsgAsync("fast");
    }

    [Fact]
    public void Forward_must_keep_the_original_sender()
    {
        var echo = Sys.ActorOf(Props.Create<EchoActor>());
        var forwarder = Sys.ActorOf(Props.Create(() => new ForwardActor(echo)));
        forwarder.Tell("ping");
        ExpectMsg("ping");
        Assert.Equal(echo, LastSender);
    }

    [Fact]
    public void UntypedActor_must_receive_through_OnReceive()
    {
        var actor = Sys.ActorOf(Props.Create<UntypedEcho>());
        actor.Tell("u");
        ExpectMsg("u!");
    }

    [Fact]
    public void Identify_must_answer_with_the_actor_reference()
    {
        var actor = Sys.ActorOf(Props.Create<EchoActor>(), "who");
        actor.Tell(new Identify(7));
        var identity = ExpectMsg<ActorIdentity>();
        Assert.Equal(7, identity.MessageId);
        Assert.Equal(actor, identity.Subject);
    }

    [Fact]
    public async Task ActorSelection_must_resolve_a_living_actor_by_path()
    {
        var actor = Sys.ActorOf(Props.Create<EchoActor>(), "selected");
        Sys.ActorSelection("/user/selected").Tell("via selection");
        await ExpectMsgAsync("via selection");
        Assert.Equal(actor, await Sys.ActorSelection("/user/selected").ResolveOne(DefaultTimeout));
        await Assert.ThrowsAsync<ActorNotFoundException>(() => Sys.ActorSelection("/user/nobody").ResolveOne(DefaultTimeout));
    }

    private sealed class TypedActor : ReceiveActor
    {
        public TypedActor()
        {
            Receive<int>(i => i > 0, i => Sender.Tell($"positive {i}"));
            Receive<int>(i => Sender.Tell($"int {i}"));
            Receive<string>(s => Sender.Tell($"string {s}"));
            ReceiveAny(m => Sender.Tell($"any {m}"));
        }
    }

    private sealed class OnlyStrings : ReceiveActor
    {
        public OnlyStrings() => Receive<string>(_ => { });
    }

    private sealed class MoodActor : ReceiveActor
    {
        public MoodActor()
        {
            Receive<string>(s => s == "how", _ => Sender.Tell("calm"));
            Receive<string>(s => s == "anger", _ => BecomeStacked(Angry));
        }

        private void Angry()
        {
            Receive<string>(s => s == "how", _ => Sender.Tell("angry"));
            Receive<string>(s => s == "anger", _ => BecomeStacked(Furious));
            Receive<string>(s => s == "relax", _ => UnbecomeStacked());
        }

        private void Furious()
        {
            Receive<string>(s => s == "how", _ => Sender.Tell("furious"));
            Receive<string>(s => s == "relax", _ => Unbecome());
        }
    }

    private sealed class ToggleActor : ReceiveActor
    {
        public ToggleActor() => Off();

        private void Off()
        {
            Receive<string>(s => s == "toggle", _ => Become(On));
            Receive<string>(s => s == "state", _ => Sender.Tell("off"));
        }

        private void On()
        {
            Receive<string>(s => s == "toggle", _ => Become(Off));
            Receive<string>(s => s == "state", _ => Sender.Tell("on"));
        }
    }

    private sealed class AsyncActor : ReceiveActor
    {
        public AsyncActor(Task gate)
        {
            ReceiveAsync<string>(async _ =>
            {
                Sender.Tell("slow started");
                await gate;
                Sender.Tell("slow done by sender " + Sender.Path.Name);
            }, s => s == "slow");
            Receive<string>(s => Sender.Tell(s));
        }
    }

    private sealed class UntypedEcho : UntypedActor
    {
        protected override void OnReceive(object message) => Sender.Tell(message + "!");
    }
}
