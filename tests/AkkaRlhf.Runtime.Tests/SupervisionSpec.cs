using AkkaRlhf.Runtime;
using Xunit.Abstractions;

namespace AkkaRlhf.Runtime.Tests;

public sealed class SupervisionSpec(ITestOutputHelper output) : TestKit.TestKit(output)
{
    private IActorRef ChildOf(SupervisorStrategy strategy, Props child, string name = "child")
    {
        var supervisor = Sys.ActorOf(Props.Create(() => new Supervisor(strategy)));
        supervisor.Tell((child, name));
        return ExpectMsg<IActorRef>();
    }

    private Props Counter => Props.Create(() => new CounterActor(TestActor, false));

    [Fact]
    public void Resume_must_keep_the_actor_state()
    {
        var child = ChildOf(new OneForOneStrategy(_ => Directive.Resume), Counter);
        child.Tell("inc");
        child.Tell("inc");
        child.Tell("fail");
        child.Tell("get");
        ExpectMsg(2);
    }

    [Fact]
    public void Restart_must_reset_the_actor_state()
    {
        var child = ChildOf(new OneForOneStrategy(_ => Directive.Restart), Counter);
        child.Tell("inc");
        child.Tell("fail");
        child.Tell("get");
        ExpectMsg(0);
    }

    [Fact]
    public void Stop_must_stop_the_failing_child()
    {
        var child = ChildOf(new OneForOneStrategy(_ => Directive.Stop), Counter);
        Watch(child);
        child.Tell("fail");
        ExpectTerminated(child);
    }

    [Fact]
    public void Default_strategy_must_restart_and_stop_on_Kill()
    {
        var child = Sys.ActorOf(Counter);
        child.Tell("inc");
        child.Tell("fail");
        child.Tell("get");
        ExpectMsg(0);
        Watch(child);
        child.Tell(Kill.Instance);
        ExpectTerminated(child);
    }

    [Fact]
    public void Escalate_must_reach_the_grandparent()
    {
        var grandparentStrategy = new OneForOneStrategy(e =>
        {
            TestActor.Tell($"grandparent saw {e.Message}");
            return Directive.Stop;
        });
        var grandparent = Sys.ActorOf(Props.Create(() => new Supervisor(grandparentStrategy)));
        grandparent.Tell((Props.Create(() => new Supervisor(new OneForOneStrategy(_ => Directive.Escalate))), "parent"));
        var parent = ExpectMsg<IActorRef>();
        parent.Tell((Counter, "child"));
        var child = ExpectMsg<IActorRef>();
        Watch(parent);
        child.Tell("fail");
        ExpectMsg("grandparent saw counter failed");
        ExpectTerminated(parent);
    }

    [Fact]
    public void Restarts_beyond_the_limit_within_the_window_must_stop_the_child()
    {
        var child = ChildOf(new OneForOneStrategy(2, TimeSpan.FromMinutes(1), _ => Directive.Restart), Counter);
        Watch(child);
        child.Tell("fail");
        child.Tell("fail");
        child.Tell("get");
        ExpectMsg(0);
        child.Tell("fail");
        ExpectTerminated(child);
    }

    [Fact]
    public void Zero_retries_must_stop_instead_of_restarting()
    {
        var child = ChildOf(new OneForOneStrategy(0, TimeSpan.FromMinutes(1), _ => Directive.Restart), Counter);
        Watch(child);
        child.Tell("fail");
        ExpectTerminated(child);
    }

    [Fact]
    public void AllForOne_restart_must_restart_every_sibling()
    {
        var supervisor = Sys.ActorOf(Props.Create(() => new Supervisor(new AllForOneStrategy(_ => Directive.Restart))));
        var reporting = Props.Create(() => new CounterActor(TestActor, true));
        supervisor.Tell((reporting, "a"));
        var a = ExpectMsg<IActorRef>();
        supervisor.Tell((reporting, "b"));
        var b = ExpectMsg<IActorRef>();
        b.Tell("inc");
        b.Tell("get");
        ExpectMsg(1);                                   // b has state before its sibling fails
        a.Tell("fail");
        Assert.Equal(["restarted a", "restarted b"], ReceiveN(2).Cast<string>().Order());
        b.Tell("get");
        ExpectMsg(0);
    }

    [Fact]
    public void AllForOne_stop_must_stop_every_sibling()
    {
        var supervisor = Sys.ActorOf(Props.Create(() => new Supervisor(new AllForOneStrategy(_ => Directive.Stop))));
        supervisor.Tell((Counter, "a"));
        var a = ExpectMsg<IActorRef>();
        supervisor.Tell((Counter, "b"));
        var b = ExpectMsg<IActorRef>();
        Watch(a);
        Watch(b);
        a.Tell("fail");
        var stopped = new[] { ExpectMsg<Terminated>().ActorRef, ExpectMsg<Terminated>().ActorRef };
        Assert.Contains(a, stopped);
        Assert.Contains(b, stopped);
    }

    [Fact]
    public void Exception_in_PreStart_must_reach_the_parent_and_stop_by_default()
    {
        var strategy = new OneForOneStrategy(e =>
        {
            TestActor.Tell(e.GetType().Name + ":" + e.InnerException?.Message);
            return SupervisorStrategy.DefaultDecider(e);
        });
        var child = ChildOf(strategy, Props.Create<FailingStart>());
        ExpectMsg("ActorInitializationException:no start");
        Watch(child);
        ExpectTerminated(child);
    }

    [Fact]
    public void Exception_in_an_async_handler_must_reach_the_parent()
    {
        var strategy = new OneForOneStrategy(e =>
        {
            TestActor.Tell("parent saw " + e.Message);
            return Directive.Resume;
        });
        var child = ChildOf(strategy, Props.Create<FailingAsync>());
        child.Tell("go");
        ExpectMsg("parent saw async boom");
        child.Tell("go-sync");
        ExpectMsg("parent saw sync part");
    }

    [Fact]
    public void Props_WithSupervisorStrategy_must_override_the_actors_strategy()
    {
        var props = Props.Create(() => new Supervisor(SupervisorStrategy.DefaultStrategy))
            .WithSupervisorStrategy(new OneForOneStrategy(_ => Directive.Resume));
        var supervisor = Sys.ActorOf(props);
        supervisor.Tell((Counter, "c"));
        var child = ExpectMsg<IActorRef>();
        child.Tell("inc");
        child.Tell("fail");
        child.Tell("get");
        ExpectMsg(1);
    }

    private sealed class CounterActor : ReceiveActor
    {
        private readonly IActorRef _probe;
        private readonly bool _reportRestart;
        private int _count;

        public CounterActor(IActorRef probe, bool reportRestart)
        {
            _probe = probe;
            _reportRestart = reportRestart;
            Receive<string>(s => s == "inc", _ => _count++);
            Receive<string>(s => s == "get", _ => probe.Tell(_count));
            Receive<string>(s => s == "fail", _ => throw new InvalidOperationException("counter failed"));
        }

        protected override void PostRestart(Exception reason)
        {
            if (_reportRestart) _probe.Tell("restarted " + Self.Path.Name);
        }
    }

    private sealed class FailingStart : ReceiveActor
    {
        protected override void PreStart() => throw new InvalidOperationException("no start");
    }

    private sealed class FailingAsync : ReceiveActor
    {
        public FailingAsync()
        {
            ReceiveAsync<string>(async _ =>
            {
                await Task.Yield();
                throw new InvalidOperationException("async boom");
            }, s => s == "go");
            ReceiveAsync<string>(_ => throw new InvalidOperationException("sync part"), s => s == "go-sync");
        }
    }
}
