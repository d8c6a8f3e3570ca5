using Akka.Actor;
using Akka.Dispatch;

namespace AkkaRlhf.Actors.Dispatch;

/// <summary>
/// The model dispatchers' pool side (<see cref="ModelDispatchers.PoolId"/>: <c>thread-per-actor = off</c>, and <c>auto</c>'s
/// small models): a dispatcher of its own (its own mailbox runs, one message at
/// a time per actor) on the .NET thread pool, which reserves a pool thread for each of its actors. A model actor's message
/// may block a thread for seconds (a training step); the pool's minimum thread count is raised by one per attached actor,
/// so with every model actor busy the default dispatcher (asks, timers, the coordinator, a cluster's heartbeats) still
/// gets a thread at once instead of waiting for the pool to inject one (about one per half second when starved). Only
/// model actors are covered: other code that blocks pool threads competes for the pool's own minimum.
/// </summary>
/// <remarks>When to use it: <see cref="ModelDispatcherConfigurator"/>.</remarks>
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
