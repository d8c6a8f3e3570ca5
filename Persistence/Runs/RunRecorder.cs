using AkkaRlhf.Runtime;

namespace AkkaRlhf.Persistence.Runs;

/// <summary>
/// The persistent actor of one run (persistence id <c>run-{runId}</c>): send it the <see cref="IRunEvent"/>s of the
/// run; each is persisted and answered with <see cref="RunEventRecorded"/>. A <see cref="CheckpointSaved"/> is
/// written atomically with the <see cref="CheckpointsPruned"/> its <see cref="CheckpointRetention"/> decides, and the
/// reply names the files to delete. A restarted recorder recovers the run's <see cref="RunState"/> (from a snapshot
/// every <c>snapshotEvery</c> events, then the events after it); <see cref="GetRunState"/> returns it.
/// </summary>
public sealed class RunRecorder : ReceivePersistentActor
{
    private readonly CheckpointRetention _retention;
    private readonly int _snapshotEvery;
    private RunState _state = RunState.Empty;

    /// <summary>Creates the recorder of <paramref name="runId"/>.</summary>
    public RunRecorder(string runId, CheckpointRetention retention, int snapshotEvery)
    {
        PersistenceId = RunJournal.PersistenceIdOf(runId);
        _retention = retention;
        _snapshotEvery = snapshotEvery;
        Recover<SnapshotOffer>(offer => _state = (RunState)offer.Snapshot);
        Recover<IRunEvent>(e => _state = _state.Apply(e));
        Command<CheckpointSaved>(OnCheckpoint);
        Command<IRunEvent>(e => Persist(e, persisted =>
        {
            _state = _state.Apply(persisted);
            Sender.Tell(new RunEventRecorded(LastSequenceNr, []));
            MaybeSnapshot();
        }));
        Command<GetRunState>(_ => Sender.Tell(_state));
    }

    /// <inheritdoc />
    public override string PersistenceId { get; }

    /// <summary>Props of the recorder of <paramref name="runId"/>, keeping the last <paramref name="keepLastCheckpoints"/> checkpoints (0 = all).</summary>
    public static Props Props(string runId, int keepLastCheckpoints = 3, int snapshotEvery = 100) =>
        Runtime.Props.Create(() => new RunRecorder(runId, new CheckpointRetention(keepLastCheckpoints), snapshotEvery));

    private void OnCheckpoint(CheckpointSaved saved)
    {
        var after = _state.Apply(saved);
        var pruned = _retention.SelectForDeletion(after.Checkpoints);
        IRunEvent[] events = pruned.Count == 0 ? [saved] : [saved, new CheckpointsPruned(pruned)];
        PersistAll(events, persisted =>
        {
            _state = _state.Apply(persisted);
            if (persisted is CheckpointsPruned || pruned.Count == 0) Sender.Tell(new RunEventRecorded(LastSequenceNr, pruned));
            MaybeSnapshot();
        });
    }

    private void MaybeSnapshot()
    {
        if (_snapshotEvery > 0 && LastSequenceNr % _snapshotEvery == 0) SaveSnapshot(_state);
    }
}
