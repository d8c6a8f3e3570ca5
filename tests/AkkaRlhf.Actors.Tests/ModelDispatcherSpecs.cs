using AkkaRlhf.Actors;
using AkkaRlhf.Actors.Dispatch;
using AkkaRlhf.Actors.Pipeline;
using AkkaRlhf.Actors.Roles;
using AkkaRlhf.Configuration;
using AkkaRlhf.Models;
using TorchSharp;
using Akka.TestKit;
using Xunit.Abstractions;

namespace AkkaRlhf.Actors.Tests;

/// <summary>
/// The model dispatchers' pool side (<see cref="ModelDispatchers.PoolId"/>, every model's with <c>thread-per-actor = off</c>): messages
/// in order, a pool thread reserved per model actor (so
/// the default dispatcher gets a thread while every model actor blocks) and given back when it stops; a role computes with
/// its <c>torch-threads</c> on whichever thread runs it, and leaves every thread at the process's count.
/// </summary>
[Collection(nameof(SerialTorch))]                                                    // the thread pool's minimum is process-wide
public sealed class ModelDispatcherSpecs(ITestOutputHelper output)
    : RlhfTestKit(output, "akka.rlhf.model-dispatcher { shutdown-timeout = 100ms, thread-per-actor = off }")
{
    /// <summary>The dispatcher a model actor gets here (the pool side, registered by the extension).</summary>
    private string PoolSide => ModelDispatchers.Get(Sys).For(0);

    /// <summary>Replies with the message and the dispatcher it runs on.</summary>
    private sealed class WhereAmI : ReceiveActor
    {
        public WhereAmI() => ReceiveAny(m => Sender.Tell((m, Context.Dispatcher.Id)));
    }

    /// <summary>Says it started, then blocks its thread until <paramref name="release"/> is set (a long training step).</summary>
    private sealed class Blocker : ReceiveActor
    {
        public Blocker(ManualResetEventSlim release) => ReceiveAny(_ =>
        {
            Sender.Tell("blocking");
            release.Wait(TimeSpan.FromSeconds(30));
            Sender.Tell("done");
        });
    }

    [Fact]
    public void A_model_actor_runs_on_the_model_dispatcher_and_gets_its_messages_in_order()
    {
        var a = Sys.ActorOf(Props.Create(() => new WhereAmI()).WithDispatcher(PoolSide));
        for (var i = 0; i < 1000; i++) a.Tell(i, TestActor);
        for (var i = 0; i < 1000; i++)
        {
            var (message, dispatcher) = ExpectMsg<(object, string)>();
            Assert.Equal(i, message);
            Assert.Equal(ModelDispatchers.PoolId, dispatcher);
        }
    }

    [Fact]
    public void With_every_model_actor_blocked_the_default_dispatcher_still_answers_at_once()
    {
        // more blocked actors than the pool has threads to begin with: without a reservation each one past the pool's
        // minimum waits for the pool to inject a thread (about one per half second), and so does the default dispatcher
        var count = Math.Max(2 * Environment.ProcessorCount, ThreadPool.ThreadCount) + 6;   // more than the threads the pool has now
        using var release = new ManualResetEventSlim();
        var blockers = Enumerable.Range(0, count).Select(_ => Sys.ActorOf(Props.Create(() => new Blocker(release)).WithDispatcher(PoolSide))).ToList();
        try
        {
            foreach (var b in blockers) b.Tell("train", TestActor);
            ReceiveN(count, TimeSpan.FromSeconds(2)).ToList().ForEach(m => Assert.Equal("blocking", m));
            var plain = Sys.ActorOf(Props.Create(() => new WhereAmI()));                // the default dispatcher
            plain.Tell("heartbeat", TestActor);
            var (message, dispatcher) = ExpectMsg<(object, string)>(TimeSpan.FromSeconds(1));
            Assert.Equal("heartbeat", message);
            Assert.NotEqual(ModelDispatchers.PoolId, dispatcher);
        }
        finally { release.Set(); }
        ReceiveN(count, TimeSpan.FromSeconds(10)).ToList().ForEach(m => Assert.Equal("done", m));
    }

    [Fact]
    public void Each_model_actor_reserves_a_pool_thread_until_it_stops()
    {
        ThreadPool.GetMinThreads(out var before, out _);
        var reserved = Dispatch.ThreadReservation.Reserved;
        var actors = Enumerable.Range(0, 3).Select(_ => Sys.ActorOf(Props.Create(() => new WhereAmI()).WithDispatcher(PoolSide))).ToList();
        foreach (var a in actors) a.Tell(1, TestActor);
        ReceiveN(3);
        ThreadPool.GetMinThreads(out var during, out _);
        Assert.Equal(reserved + 3, Dispatch.ThreadReservation.Reserved);
        Assert.Equal(before + 3, during);
        foreach (var a in actors)
        {
            Watch(a);
            Sys.Stop(a);
            ExpectTerminated(a);
        }
        AwaitAssert(() =>
        {
            ThreadPool.GetMinThreads(out var after, out _);
            Assert.Equal(before, after);
        });
    }

    /// <summary>A role that replies how many intra-op threads its thread computes with.</summary>
    private sealed class ThreadCount : RoleActor
    {
        public ThreadCount(int torchThreads) : base(torch.CPU, torchThreads) => ReceiveAny(_ => Sender.Tell(torch.get_num_threads()));
    }

    [Fact]
    public void A_role_computes_with_its_own_torch_threads_and_leaves_the_others_at_the_process_default()
    {
        var process = TorchThreads.ProcessDefault;
        var own = Sys.ActorOf(Props.Create(() => new ThreadCount(process + 1)).WithDispatcher(PoolSide));
        own.Tell("count?", TestActor);
        Assert.Equal(process + 1, ExpectMsg<int>());
        var inherits = Sys.ActorOf(Props.Create(() => new ThreadCount(0)).WithDispatcher(PoolSide));   // started after the other used its own
        inherits.Tell("count?", TestActor);
        Assert.Equal(process, ExpectMsg<int>());
        own.Tell("count?", TestActor);
        Assert.Equal(process + 1, ExpectMsg<int>());


        // on the calling thread (as any pool thread would run it): the role's count while it computes, the process's after
        var here = Sys.ActorOf(Props.Create(() => new ThreadCount(process + 2)).WithDispatcher(CallingThreadDispatcher.Id));
        here.Tell("count?", TestActor);
        Assert.Equal(process + 2, ExpectMsg<int>());
        Assert.Equal(process, torch.get_num_threads());
    }

    [Fact]
    public void A_roles_torch_threads_are_read_from_its_block_and_checked()
    {
        PpoSettings Read(string hocon) => PipelineSettings.FromConfig(ConfigurationFactory.ParseString(hocon)).Ppo;

        var ppo = Read("akka-rlhf.ppo { learner.torch-threads = 2, critic.torch-threads = 3 }");
        Assert.Equal([0, 0, 0, 3, 2], ppo.Roles.Select(r => r.Role.TorchThreads));
        var error = Assert.Throws<ConfigurationException>(() => Read("akka-rlhf.ppo.generator.torch-threads = -1"));
        Assert.Contains("akka-rlhf.ppo.generator.torch-threads = -1 must be >= 0", error.Message);
    }
}
