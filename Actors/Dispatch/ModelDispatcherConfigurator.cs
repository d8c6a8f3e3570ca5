using Akka.Configuration;
using Akka.Dispatch;

namespace AkkaRlhf.Actors.Dispatch;

/// <summary>
/// Akka's <see cref="PinnedDispatcher"/> (one thread per actor) on a thread that blocks while its mailbox is empty
/// (<see cref="DedicatedThread"/>). Akka's own <c>type = PinnedDispatcher</c> runs its thread in Helios'
/// <c>DedicatedThreadPool</c>, whose idle worker first spins (up to ~50 <c>Thread.Sleep(0)</c> per core) before it
/// waits: a model actor goes idle after every batch, and with one such thread per role the spinning took CPU from the
/// roles that were computing (bench/Pipeline <c>--messaging</c>). A model actor's batches take milliseconds, so a
/// wake-up of microseconds costs nothing.
/// </summary>
/// <remarks>Named by <c>type</c> in <see cref="RlhfActors.ModelDispatcher"/>'s config; reads the usual dispatcher keys
/// (<c>throughput</c>, <c>throughput-deadline-time</c>, <c>shutdown-timeout</c>).</remarks>
public sealed class ModelDispatcherConfigurator(Config config, IDispatcherPrerequisites prerequisites)
    : MessageDispatcherConfigurator(config, prerequisites)
{
    private readonly ExecutorServiceFactory _threads = new Threads();

    /// <summary>A new dispatcher, with a thread of its own, for each actor (as <c>PinnedDispatcher</c>).</summary>
    public override MessageDispatcher Dispatcher() =>
        new PinnedDispatcher(this, Config.GetString("id"), Config.GetInt("throughput"),
            Config.GetTimeSpan("throughput-deadline-time", null).Ticks, _threads, Config.GetTimeSpan("shutdown-timeout", null));

    private sealed class Threads : ExecutorServiceFactory
    {
        public override ExecutorService Produce(string id) => new DedicatedThread(id);
    }
}
