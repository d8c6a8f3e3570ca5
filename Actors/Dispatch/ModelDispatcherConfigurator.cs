using Akka.Configuration;
using Akka.Dispatch;

namespace AkkaRlhf.Actors.Dispatch;

/// <summary>
/// The model dispatcher. With <c>thread-per-actor = on</c> (and <c>auto</c>'s large models) Akka's <see cref="PinnedDispatcher"/>: a thread
/// of its own for each model actor, which blocks while its mailbox is empty (<see cref="DedicatedThread"/>; Akka's stock
/// pinned thread first spins, up to ~50 <c>Thread.Sleep(0)</c> per core, taking CPU from the roles that compute). With
/// <c>off</c> (the pool side, <see cref="ModelDispatchers.PoolId"/>, is configured so) one <see cref="ModelDispatcher"/> for
/// every actor of the dispatcher, on the executor its config names (the .NET thread pool), with a pool thread reserved per actor. Reads the usual dispatcher keys (<c>throughput</c>,
/// <c>throughput-deadline-time</c>, <c>shutdown-timeout</c>).
/// </summary>
/// <remarks>Which actor runs on which (<c>auto</c> by the model's size): <see cref="ModelDispatchers"/>.</remarks>
public sealed class ModelDispatcherConfigurator : MessageDispatcherConfigurator
{
    private readonly ModelDispatcher? _pool;                                          // null: a thread per actor
    private readonly ExecutorServiceFactory _threads = new Threads();

    public ModelDispatcherConfigurator(Config config, IDispatcherPrerequisites prerequisites) : base(config, prerequisites)
    {
        if (ModelDispatchers.ModeOf(Config) != ModelDispatchers.Placement.Pool) return;      // on, or auto's side for large models
        _pool = new ModelDispatcher(this, Config.GetString("id"), Config.GetInt("throughput"), Deadline, ConfigureExecutor(),
            Config.GetTimeSpan("shutdown-timeout", null));
    }

    /// <summary>The pool's dispatcher, or a new one with a thread of its own for each actor.</summary>
    public override MessageDispatcher Dispatcher() => _pool as MessageDispatcher
        ?? new PinnedDispatcher(this, Config.GetString("id"), Config.GetInt("throughput"), Deadline, _threads, Config.GetTimeSpan("shutdown-timeout", null));

    private long? Deadline => Config.GetTimeSpan("throughput-deadline-time", null) is var d && d > TimeSpan.Zero ? d.Ticks : null;

    private sealed class Threads : ExecutorServiceFactory
    {
        public override ExecutorService Produce(string id) => new DedicatedThread(id);
    }
}
