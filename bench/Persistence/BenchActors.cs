using Akka.Actor;
using Akka.Persistence;
using AkkaRlhf.Persistence.Runs;

namespace AkkaRlhf.Persistence.Bench;

/// <summary>
/// Writes what it is sent: one <see cref="IterationCompleted"/> with <c>Persist</c> (one AtomicWrite), an array with
/// <c>PersistAll</c> (one AtomicWrite of the whole array); replies with its <c>LastSequenceNr</c> once all of it is
/// stored (the handlers run after the journal confirmed the write). <see cref="Ready"/> only answers (after recovery).
/// </summary>
internal sealed class BenchWriter : ReceivePersistentActor
{
    public const string Ready = "ready?";

    public BenchWriter(string persistenceId)
    {
        PersistenceId = persistenceId;
        Command<string>(_ => Sender.Tell(LastSequenceNr));
        Command<IterationCompleted>(e => Persist(e, _ => Sender.Tell(LastSequenceNr)));
        Command<IterationCompleted[]>(batch => PersistAll(batch, e =>
        {
            if (ReferenceEquals(e, batch[^1])) Sender.Tell(LastSequenceNr);
        }));
    }

    public override string PersistenceId { get; }
}

/// <summary>
/// Counts the events a recovery covers (a snapshot's count + the events replayed after it) and reports the total at
/// <see cref="RecoveryCompleted"/>. <c>useSnapshot: false</c> ignores snapshots (replays every event).
/// </summary>
internal sealed class BenchRecovery : ReceivePersistentActor
{
    private readonly TaskCompletionSource<long> _done;
    private long _count;

    public BenchRecovery(string persistenceId, bool useSnapshot, TaskCompletionSource<long> done)
    {
        PersistenceId = persistenceId;
        Recovery = useSnapshot ? Recovery.Default : new Recovery(SnapshotSelectionCriteria.None);
        _done = done;
        Recover<SnapshotOffer>(offer => _count = (long)offer.Snapshot);
        Recover<IterationCompleted>(_ => _count++);
        Recover<RecoveryCompleted>(_ => done.TrySetResult(_count));
    }

    public override string PersistenceId { get; }

    public override Recovery Recovery { get; }

    protected override void OnRecoveryFailure(Exception reason, object? message = null)
    {
        _done.TrySetException(reason);
        base.OnRecoveryFailure(reason, message);
    }
}
