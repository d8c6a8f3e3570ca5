using Akka.Actor;
using Akka.Dispatch;

namespace AkkaRlhf.Actors.Dispatch;

/// <summary>
/// The dispatcher of the actors that run a model: a dispatcher of their own (its own mailbox runs, one message at a time
/// per actor) on the .NET thread pool, which reserves a pool thread for each of its actors. A model actor's message may
/// block a thread for seconds (a training step); the pool's minimum thread count is raised by one per attached actor, so
/// with every model actor busy the default dispatcher (asks, timers, the coordinator, a cluster's heartbeats) still gets a
/// thread at once instead of waiting for the pool to inject one (about one per half second when starved). Only model
/// actors are covered: other code that blocks pool threads competes for the pool's own minimum.
/// </summary>
/// <remarks>
/// Why the pool and not a thread per actor (Akka's <c>PinnedDispatcher</c>, this project's choice until 2026-12): a
/// message to a model actor then wakes that actor's sleeping thread, and its answer wakes another; on the pool the thread
/// that sent a message usually runs it next. Measured (bench/Pipeline <c>--messaging</c>), the actors' PPO iteration
/// beyond the same work called directly: 5-10% with a thread per actor, ~3% (median of seven runs) on the pool
/// (bench/Pipeline/RESULTS.md).
/// </remarks>
public sealed class ModelDispatcher(MessageDispatcherConfigurator configurator, string id, int throughput, long? throughputDeadlineTime,
    ExecutorServiceFactory executor, TimeSpan shutdownTimeout)
    : Dispatcher(configurator, id, throughput, throughputDeadlineTime, executor, shutdownTimeout)
{
    public override void Attach(ActorCell cell)
    {
        ThreadReservation.Add(1);
        try { base.Attach(cell); }
        catch
        {
            ThreadReservation.Add(-1);
            throw;
        }
    }

    public override void Detach(ActorCell cell)
    {
        try { base.Detach(cell); }
        finally { ThreadReservation.Add(-1); }
    }
}
