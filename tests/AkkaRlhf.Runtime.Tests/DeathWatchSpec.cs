using AkkaRlhf.Runtime;
using Xunit.Abstractions;

namespace AkkaRlhf.Runtime.Tests;

public sealed class DeathWatchSpec(ITestOutputHelper output) : TestKit.TestKit(output)
{
    [Fact]
    public void Terminated_must_arrive_exactly_once_per_watcher()
    {
        var target = Sys.ActorOf(Props.Create<EchoActor>());
        var probes = Enumerable.Range(0, 3).Select(_ => CreateTestProbe()).ToList();
        var watchers = probes.Select(p => Sys.ActorOf(Props.Create(() => new WatcherActor(target, p.Ref)))).ToList();
        foreach (var probe in probes) probe.ExpectMsg("watching");
        // a second Watch of the same target must not duplicate the notification
        foreach (var watcher in watchers) watcher.Tell("watch-again");
        foreach (var probe in probes) probe.ExpectMsg("watching");
        target.Tell(PoisonPill.Instance);
        foreach (var probe in probes)
        {
            Assert.Equal(target, probe.ExpectMsg<Terminated>().ActorRef);
            probe.ExpectNoMsg();
        }
    }

    [Fact]
    public void Watching_an_already_dead_actor_must_deliver_Terminated()
    {
        var target = Sys.ActorOf(Props.Create<EchoActor>());
        Watch(target);
        Sys.Stop(target);
        ExpectTerminated(target);
        var probe = CreateTestProbe();
        probe.Watch(target);
        probe.ExpectTerminated(target);
        probe.ExpectNoMsg();
    }

    [Fact]
    public void Unwatch_must_prevent_Terminated()
    {
        var target = Sys.ActorOf(Props.Create<EchoActor>());
        Watch(target);
        Unwatch(target);
        target.Tell(PoisonPill.Instance);
        ExpectNoMsg();
    }

    [Fact]
    public void Unhandled_Terminated_must_fail_the_watcher_with_DeathPactException()
    {
        var target = Sys.ActorOf(Props.Create<EchoActor>());
        var strategy = new OneForOneStrategy(e => { TestActor.Tell(e.GetType().Name); return Directive.Stop; });
        var supervisor = Sys.ActorOf(Props.Create(() => new Supervisor(strategy)));
        supervisor.Tell(Props.Create(() => new SilentWatcher(target)));
        ExpectMsg<IActorRef>();
        Sys.Stop(target);
        ExpectMsg(nameof(DeathPactException));
    }

    [Fact]
    public void PoisonPill_must_stop_after_the_messages_queued_before_it()
    {
        var actor = Sys.ActorOf(Props.Create<EchoActor>());
        Watch(actor);
        actor.Tell(1);
        actor.Tell(2);
        actor.Tell(PoisonPill.Instance);
        ExpectMsg(1);
        ExpectMsg(2);
        ExpectTerminated(actor);
    }

    [Fact]
    public async Task GracefulStop_must_complete_once_the_actor_has_stopped()
    {
        var actor = Sys.ActorOf(Props.Create(() => new LifecycleActor(TestActor)));
        await ExpectMsgAsync("PreStart");
        Assert.True(await actor.GracefulStop(DefaultTimeout));
        await ExpectMsgAsync("PostStop");
    }

    [Fact]
    public async Task GracefulStop_must_fail_when_the_actor_does_not_stop_in_time()
    {
        var actor = Sys.ActorOf(Props.Create(() => new ForwardActor(TestActor)));
        await Assert.ThrowsAsync<TaskCanceledException>(() => actor.GracefulStop(TimeSpan.FromMilliseconds(200), "not a stop message"));
        await ExpectMsgAsync("not a stop message");
    }

    [Fact]
    public void Stopping_a_parent_must_stop_children_before_the_parent_PostStop()
    {
        var parent = Sys.ActorOf(Props.Create(() => new ParentReporting(TestActor)), "p");
        ExpectMsg("child started");
        Sys.Stop(parent);
        ExpectMsg("child stopped");
        ExpectMsg("parent stopped");
    }

    private sealed class WatcherActor : ReceiveActor
    {
        public WatcherActor(IActorRef target, IActorRef probe)
        {
            Receive<Terminated>(t => probe.Tell(t));
            Receive<string>(_ => { Context.Watch(target); probe.Tell("watching"); });
            Context.Watch(target);
            probe.Tell("watching");
        }
    }

    private sealed class SilentWatcher : ReceiveActor
    {
        public SilentWatcher(IActorRef target) => Context.Watch(target);
    }

    private sealed class ParentReporting : ReceiveActor
    {
        private readonly IActorRef _probe;

        public ParentReporting(IActorRef probe)
        {
            _probe = probe;
            Context.ActorOf(Props.Create(() => new ChildReporting(probe)), "c");
        }

        protected override void PostStop() => _probe.Tell("parent stopped");
    }

    private sealed class ChildReporting(IActorRef probe) : ReceiveActor
    {
        protected override void PreStart() => probe.Tell("child started");

        protected override void PostStop() => probe.Tell("child stopped");
    }
}
