using Akka.Actor;
using Akka.Event;
using Akka.Persistence;

namespace AkkaRlhf.Persistence.Runs;

/// <summary>
/// The persistent actor of one run (persistence id <c>run-{runId}</c>), on Akka.Persistence: send it the
/// <see cref="IRunEvent"/>s of the run; each is persisted and answered with <see cref="RunEventRecorded"/> (when it was
/// asked). A <see cref="CheckpointSaved"/> is written atomically with the <see cref="CheckpointsPruned"/> its
/// <see cref="CheckpointRetention"/> decides, and the reply names the files to delete. A restarted recorder recovers the
/// run's <see cref="RunState"/> (from a snapshot every <c>snapshotEvery</c> events, then the events after it);
/// <see cref="GetRunState"/> returns it. A journal that fails (write, rejected event, recovery) is reported to
/// <c>failed</c> and to the asker, at once: a run never waits on a journal that is gone.
/// </summary>
public sealed class RunRecorder : ReceivePersistentActor
{
    private readonly CheckpointRetention _retention;
    private readonly int _snapshotEvery;
    private readonly Action<Exception> _failed;
    private RunState _state = RunState.Empty;

    /// <summary>Creates the recorder of <paramref name="runId"/>.</summary>
    public RunRecorder(string runId, CheckpointRetention retention, int snapshotEvery, Action<Exception> failed)
    {
        PersistenceId = RunJournal.PersistenceIdOf(runId);
        _retention = retention;
        _snapshotEvery = snapshotEvery;
        _failed = failed;
        Recover<SnapshotOffer>(offer => _state = (RunState)offer.Snapshot);
        Recover<IRunEvent>(e => _state = _state.Apply(e));
        Command<CheckpointSaved>(OnCheckpoint);
        Command<IRunEvent>(e => Persist(e, persisted =>
        {
            _state = _state.Apply(persisted);
            Reply(new RunEventRecorded(LastSequenceNr, []));
            MaybeSnapshot();
        }));
        Command<GetRunState>(_ => Sender.Tell(_state));
        Command<SaveSnapshotSuccess>(_ => { });
        Command<SaveSnapshotFailure>(f => Context.GetLogger().Warning($"{PersistenceId}: snapshot failed ({f.Cause.Message}); recovery replays more events"));
    }

    /// <inheritdoc />
    public override string PersistenceId { get; }

    /// <summary>Props of the recorder of <paramref name="runId"/>, keeping the last <paramref name="keepLastCheckpoints"/> checkpoints (0 = all).</summary>
    public static Props Props(string runId, int keepLastCheckpoints = 3, int snapshotEvery = 100, Action<Exception>? failed = null)
    {
        var report = failed ?? Ignore;
        return Akka.Actor.Props.Create(() => new RunRecorder(runId, new CheckpointRetention(keepLastCheckpoints), snapshotEvery, report));
    }

    private static void Ignore(Exception _) { }

    /// <inheritdoc />
    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        Fail(new RunJournalException($"{PersistenceId}: writing {@event.GetType().Name} #{sequenceNr} failed ({cause.Message}); the run stops", cause));
        base.OnPersistFailure(cause, @event, sequenceNr);                            // stops the recorder
    }

    /// <inheritdoc />
    protected override void OnPersistRejected(Exception cause, object @event, long sequenceNr)
    {
        Fail(new RunJournalException($"{PersistenceId}: the journal rejected {@event.GetType().Name} #{sequenceNr} ({cause.Message}); the run stops", cause));
        base.OnPersistRejected(cause, @event, sequenceNr);
    }

    /// <inheritdoc />
    protected override void OnRecoveryFailure(Exception reason, object? message = null)
    {
        Fail(new RunJournalException($"{PersistenceId}: recovering the run journal failed ({reason.Message})", reason));
        base.OnRecoveryFailure(reason, message);                                      // stops the recorder
    }

    private void Fail(RunJournalException failure)
    {
        _failed(failure);
        Reply(new Status.Failure(failure));
    }

    private void Reply(object message)
    {
        if (!Sender.IsNobody() && !Sender.Equals(Context.System.DeadLetters)) Sender.Tell(message);
    }

    private void OnCheckpoint(CheckpointSaved saved)
    {
        var after = _state.Apply(saved);
        var pruned = _retention.SelectForDeletion(after.Checkpoints);
        IRunEvent[] events = pruned.Count == 0 ? [saved] : [saved, new CheckpointsPruned(pruned)];
        PersistAll(events, persisted =>
        {
            _state = _state.Apply(persisted);
            if (persisted is CheckpointsPruned || pruned.Count == 0) Reply(new RunEventRecorded(LastSequenceNr, pruned));
            MaybeSnapshot();
        });
    }

    private void MaybeSnapshot()
    {
        if (_snapshotEvery > 0 && LastSequenceNr % _snapshotEvery == 0) SaveSnapshot(_state);
    }
}

/// <summary>The run journal failed: the run stops with this message; nothing after the failure was recorded.</summary>
public sealed class RunJournalException(string message, Exception? inner = null) : Exception(message, inner);
