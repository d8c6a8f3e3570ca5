using AkkaRlhf.Runtime;
using Xunit.Abstractions;

namespace AkkaRlhf.Runtime.Tests;

public sealed class TimersSpec(ITestOutputHelper output) : TestKit.TestKit(output)
{
    [Fact]
    public void Single_timer_must_fire_once()
    {
        var actor = Sys.ActorOf(Props.Create(() => new TimerActor(TestActor)));
        actor.Tell(new StartSingle("tick", TimeSpan.FromMilliseconds(50)));
        ExpectMsg("tick");
        actor.Tell("active?");
        ExpectMsg(false);
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void Periodic_timer_must_fire_repeatedly_until_cancelled()
    {
        var actor = Sys.ActorOf(Props.Create(() => new TimerActor(TestActor)));
        actor.Tell(new StartPeriodic("beat", TimeSpan.FromMilliseconds(30)));
        ExpectMsg("beat");
        ExpectMsg("beat");
        ExpectMsg("beat");
        actor.Tell("active?");
        FishForMessage(m => m is true);
        actor.Tell("cancel");
        FishForMessage(m => m is "cancelled");
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void Cancelled_timer_must_not_deliver_even_when_due()
    {
        var actor = Sys.ActorOf(Props.Create(() => new TimerActor(TestActor)));
        actor.Tell(new StartSingle("never", TimeSpan.FromMilliseconds(100)));
        actor.Tell("cancel");
        ExpectMsg("cancelled");
        ExpectNoMsg(TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public void Restarting_an_actor_must_cancel_its_timers()
    {
        var actor = Sys.ActorOf(Props.Create(() => new TimerActor(TestActor)));
        actor.Tell(new StartSingle("stale", TimeSpan.FromMilliseconds(150)));
        actor.Tell("fail");
        actor.Tell("active?");
        ExpectMsg(false);
        ExpectNoMsg(TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public void ReceiveTimeout_must_fire_when_idle()
    {
        var actor = Sys.ActorOf(Props.Create(() => new IdleActor(TestActor, TimeSpan.FromMilliseconds(100))));
        ExpectMsg("timeout");
        actor.Tell("cancel");
        FishForMessage(m => m is "cancelled"); // it keeps firing while idle, until cancelled
        ExpectNoMsg(TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public void ReceiveTimeout_must_be_cancellable_before_it_fires()
    {
        var actor = Sys.ActorOf(Props.Create(() => new IdleActor(TestActor, TimeSpan.FromMinutes(1))));
        actor.Tell("arm and cancel");
        ExpectMsg("cancelled");
        ExpectNoMsg(TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public void Scheduler_must_tell_once_and_repeatedly_until_cancelled()
    {
        Sys.Scheduler.ScheduleTellOnce(TimeSpan.FromMilliseconds(20), TestActor, "once", ActorRefs.NoSender);
        ExpectMsg("once");
        var repeated = Sys.Scheduler.ScheduleTellRepeatedly(TimeSpan.Zero, TimeSpan.FromMilliseconds(20), TestActor, "again", ActorRefs.NoSender);
        ExpectMsg("again");
        ExpectMsg("again");
        repeated.Cancel();
        Assert.True(repeated.IsCancellationRequested);
        IgnoreMessages(m => m is "again"); // a tick may have been in flight while cancelling
        // IgnoreMessages only drops later arrivals: drain ticks already queued, up to a marker sent after it
        TestActor.Tell("drained");
        Assert.Equal("drained", FishForMessage(m => m is not "again"));
        var cancelled = Sys.Scheduler.ScheduleTellOnce(TimeSpan.FromMilliseconds(100), TestActor, "never", ActorRefs.NoSender);
        cancelled.Cancel();
        ExpectNoMsg(TimeSpan.FromMilliseconds(300));
    }

    private sealed record StartSingle(string Message, TimeSpan Delay);

    private sealed record StartPeriodic(string Message, TimeSpan Interval);

    private sealed class TimerActor : ReceiveActor, IWithTimers
    {
        public TimerActor(IActorRef probe)
        {
            Receive<StartSingle>(s => Timers.StartSingleTimer("key", s.Message, s.Delay));
            Receive<StartPeriodic>(s => Timers.StartPeriodicTimer("key", s.Message, s.Interval));
            Receive<string>(s => s == "cancel", _ => { Timers.Cancel("key"); probe.Tell("cancelled"); });
            Receive<string>(s => s == "active?", _ => probe.Tell(Timers.IsTimerActive("key")));
            Receive<string>(s => s == "fail", _ => throw new InvalidOperationException("restart me"));
            Receive<string>(s => probe.Tell(s));
        }

        public ITimerScheduler Timers { get; set; } = null!;
    }

    private sealed class IdleActor : ReceiveActor
    {
        public IdleActor(IActorRef probe, TimeSpan timeout)
        {
            Context.SetReceiveTimeout(timeout);
            Receive<ReceiveTimeout>(_ => probe.Tell("timeout"));
            Receive<string>(s => s == "cancel", _ => { Context.SetReceiveTimeout(null); probe.Tell("cancelled"); });
            Receive<string>(s => s == "arm and cancel", _ =>
            {
                Context.SetReceiveTimeout(TimeSpan.FromMilliseconds(50));
                Context.SetReceiveTimeout(null);
                probe.Tell("cancelled");
            });
        }
    }
}
