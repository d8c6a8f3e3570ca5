using AkkaRlhf.Runtime;
using Xunit.Abstractions;

namespace AkkaRlhf.Runtime.Tests;

/// <summary>Continuations of async handlers belong to one incarnation of the actor.</summary>
public sealed class AsyncContinuationSpec(ITestOutputHelper output) : TestKit.TestKit(output)
{
    [Fact]
    public void A_continuation_must_not_run_after_the_actor_was_stopped_while_awaiting()
    {
        var gate = new TaskCompletionSource<string>();
        var actor = Sys.ActorOf(Props.Create(() => new Awaiter(TestActor, gate.Task)));
        Watch(actor);
        actor.Tell("await");
        ExpectMsg("awaiting");

        Sys.Stop(actor);
        ExpectTerminated(actor);
        gate.SetResult("done"); // the continuation is posted now, to a stopped actor
        ExpectNoMsg();
    }

    [Fact]
    public void A_continuation_must_not_run_while_the_actor_is_stopping_and_waiting_for_its_children()
    {
        var gate = new TaskCompletionSource<string>();
        using var release = new ManualResetEventSlim();
        var actor = Sys.ActorOf(Props.Create(() => new Awaiter(TestActor, gate.Task)));
        Watch(actor);
        actor.Tell(new StartBusyChild(release));
        ExpectMsg("child busy");
        actor.Tell("await");
        ExpectMsg("awaiting");

        Sys.Stop(actor); // the parent stops its child first: it stays "stopping" while the child is busy
        gate.SetResult("done"); // the continuation is queued behind the stop, to the stopping parent
        release.Set();
        ExpectTerminated(actor); // no "continued" before it
        ExpectNoMsg();
    }

    [Fact]
    public void A_continuation_of_a_previous_incarnation_must_be_dropped_after_a_restart_from_outside()
    {
        var gate = new TaskCompletionSource<string>();
        var parent = Sys.ActorOf(Props.Create(() => new AllForOneParent(TestActor, gate.Task)));
        parent.Tell("await");
        ExpectMsg("awaiting");

        parent.Tell("fail sibling"); // all-for-one: the awaiting actor is restarted too
        ExpectMsg("awaiter restarted");
        gate.SetResult("done");       // the old instance's continuation is posted now
        parent.Tell("ping awaiter");  // the new instance answers; the old continuation never ran
        ExpectMsg("pong 1");
        ExpectNoMsg();
    }

    [Fact]
    public void A_continuation_must_still_run_when_the_actor_is_alive()
    {
        var gate = new TaskCompletionSource<string>();
        var actor = Sys.ActorOf(Props.Create(() => new Awaiter(TestActor, gate.Task)));
        actor.Tell("await");
        ExpectMsg("awaiting");
        gate.SetResult("done");
        ExpectMsg("continued done");
    }

    [Fact]
    public void RunTask_from_the_constructor_must_continue_after_PreStart_and_before_the_first_message()
    {
        var actor = Sys.ActorOf(Props.Create(() => new StartsInConstructor(TestActor)));
        actor.Tell("first");
        ExpectMsg("constructor");
        ExpectMsg("prestart");
        ExpectMsg("continued");
        ExpectMsg("first");
    }

    private sealed record StartBusyChild(ManualResetEventSlim Release);

    private sealed class Awaiter : ReceiveActor
    {
        private int _instanceCount;

        public Awaiter(IActorRef probe, Task<string> gate)
        {
            ReceiveAsync<string>(async _ =>
            {
                probe.Tell("awaiting");
                var result = await gate;
                probe.Tell($"continued {result}");
            }, s => s == "await");
            Receive<string>(s => s == "ping", _ => probe.Tell($"pong {++_instanceCount}"));
            Receive<StartBusyChild>(m =>
            {
                var child = Context.ActorOf(Props.Create(() => new Busy()), "busy");
                child.Tell(m, probe);
            });
        }

        protected override void PostRestart(Exception reason) => Context.Parent.Tell("awaiter restarted");
    }

    /// <summary>Blocks its turn until released (keeps its parent in the stopping state).</summary>
    private sealed class Busy : ReceiveActor
    {
        public Busy() => Receive<StartBusyChild>(m =>
        {
            Sender.Tell("child busy");
            m.Release.Wait(TimeSpan.FromSeconds(30));
        });
    }

    private sealed class Failing : ReceiveActor
    {
        public Failing() => Receive<string>(_ => throw new InvalidOperationException("sibling failed"));
    }

    private sealed class AllForOneParent : ReceiveActor
    {
        private readonly IActorRef _awaiter;
        private readonly IActorRef _failing;

        public AllForOneParent(IActorRef probe, Task<string> gate)
        {
            _awaiter = Context.ActorOf(Props.Create(() => new Awaiter(probe, gate)), "awaiter");
            _failing = Context.ActorOf(Props.Create(() => new Failing()), "failing");
            Receive<string>(s => s == "await", s => _awaiter.Tell(s, probe));
            Receive<string>(s => s == "fail sibling", _ => _failing.Tell("fail"));
            Receive<string>(s => s == "ping awaiter", _ => _awaiter.Tell("ping", probe));
            Receive<string>(s => s == "awaiter restarted", s => probe.Tell(s));
        }

        protected override SupervisorStrategy SupervisorStrategy() =>
            new AllForOneStrategy(10, TimeSpan.FromMinutes(1), _ => Directive.Restart);
    }

    private sealed class StartsInConstructor : ReceiveActor
    {
        private readonly IActorRef _probe;

        public StartsInConstructor(IActorRef probe)
        {
            _probe = probe;
            probe.Tell("constructor");
            RunTask(async () =>
            {
                await Task.Yield();
                probe.Tell("continued");
            });
            ReceiveAny(m => probe.Tell(m));
        }

        protected override void PreStart() => _probe.Tell("prestart");
    }
}
