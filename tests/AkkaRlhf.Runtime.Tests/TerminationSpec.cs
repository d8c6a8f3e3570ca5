using AkkaRlhf.Runtime;
using AkkaRlhf.Runtime.Event;

namespace AkkaRlhf.Runtime.Tests;

public sealed class TerminationSpec
{
    private sealed class Reporter(string name, System.Collections.Concurrent.ConcurrentQueue<string> log, int children) : ReceiveActor
    {
        protected override void PreStart()
        {
            for (var i = 0; i < children; i++)
            {
                var child = $"{name}/{i}";                                            // not i itself: the factory runs later
                Context.ActorOf(Props.CreateBy(() => new Reporter(child, log, children - 1)), "c" + i);
            }
        }

        protected override void PostStop() => log.Enqueue(name);
    }

    [Fact]
    public async Task Terminate_must_stop_every_actor_children_first_and_complete()
    {
        var system = ActorSystem.Create("termination", ActorSystemSettings.Default.WithStdoutLogging(false));
        var log = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var top = Enumerable.Range(0, 3).Select(i => system.ActorOf(Props.CreateBy(() => new Reporter("t" + i, log, 3)), "t" + i)).ToList();
        var ready = await top[0].Ask<ActorIdentity>(new Identify(null));
        Assert.NotNull(ready.Subject);
        await system.Terminate().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(system.WhenTerminated.IsCompletedSuccessfully);
        var order = log.ToList();
        Assert.Equal(3 * (1 + 3 + 3 * 2 + 3 * 2 * 1), order.Count);
        Assert.Equal(order.Count, order.Distinct().Count());                              // every actor once, under its own name
        foreach (var name in order)
        {
            // every descendant stopped before its ancestor
            var ancestor = name;
            while (ancestor.Contains('/'))
            {
                ancestor = ancestor[..ancestor.LastIndexOf('/')];
                Assert.True(order.IndexOf(name) < order.IndexOf(ancestor), $"{name} must stop before {ancestor}");
            }
        }
    }

    [Fact]
    public async Task Terminated_system_must_route_messages_to_dead_letters()
    {
        var system = ActorSystem.Create("after", ActorSystemSettings.Default.WithStdoutLogging(false).WithLogDeadLetters(0));
        var actor = system.ActorOf(Props.Create<EchoActor>());
        await system.Terminate().WaitAsync(TimeSpan.FromSeconds(10));
        actor.Tell("late", ActorRefs.NoSender); // must not throw
        Assert.True(system.WhenTerminated.IsCompleted);
    }

    [Fact]
    public async Task Terminate_must_be_idempotent()
    {
        var system = ActorSystem.Create("twice", ActorSystemSettings.Default.WithStdoutLogging(false));
        var first = system.Terminate();
        var second = system.Terminate();
        await Task.WhenAll(first, second).WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void System_names_must_be_validated()
    {
        Assert.Throws<ArgumentException>(() => ActorSystem.Create("bad name"));
    }

    [Fact]
    public async Task Stdout_logging_can_be_disabled()
    {
        var system = ActorSystem.Create("quiet", ActorSystemSettings.Default.WithStdoutLogging(false).WithLogLevel(LogLevel.Debug));
        system.Log.Debug("not printed");
        await system.Terminate().WaitAsync(TimeSpan.FromSeconds(10));
    }
}
