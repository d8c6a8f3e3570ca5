using AkkaRlhf.Runtime;

namespace AkkaRlhf.Persistence.Runs;

/// <summary>
/// Reads runs from the journal, without actors (for <c>akka-rlhf runs list|show</c>): the runs are the persistence ids
/// starting with <c>run-</c>; each one's <see cref="RunState"/> is its latest snapshot plus the events after it.
/// The events must be allow-listed (<see cref="RunJournal.Register"/>) in the serialization the stores use.
/// </summary>
public sealed class RunCatalog
{
    private readonly IJournal _journal;
    private readonly ISnapshotStore _snapshots;

    /// <summary>A catalog over <paramref name="journal"/> (it must list persistence ids) and <paramref name="snapshots"/>.</summary>
    public RunCatalog(IJournal journal, ISnapshotStore snapshots)
    {
        ArgumentNullException.ThrowIfNull(journal);
        ArgumentNullException.ThrowIfNull(snapshots);
        if (journal is not IPersistenceIdsQuery)
            throw new ArgumentException($"{journal.GetType().Name} cannot list persistence ids (IPersistenceIdsQuery).", nameof(journal));
        _journal = journal;
        _snapshots = snapshots;
    }

    /// <summary>The catalog of <paramref name="system"/>'s configured stores (registers the run events there).</summary>
    public static RunCatalog For(ActorSystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        RunJournal.Register(system.Serialization);
        var persistence = PersistenceExtension.Get(system);
        return new RunCatalog(persistence.Journal, persistence.SnapshotStore);
    }

    /// <summary>Every run, sorted by id, with its status and last metrics.</summary>
    public async Task<IReadOnlyList<RunSummary>> ListAsync(CancellationToken cancellationToken = default)
    {
        var ids = await ((IPersistenceIdsQuery)_journal).CurrentPersistenceIdsAsync(RunJournal.PersistenceIdPrefix, cancellationToken).ConfigureAwait(false);
        var runs = new List<RunSummary>(ids.Count);
        foreach (var id in ids)
        {
            var state = await LoadAsync(id, cancellationToken).ConfigureAwait(false);
            var last = state.LastIteration;
            runs.Add(new RunSummary(
                id[RunJournal.PersistenceIdPrefix.Length..], state.Status, state.Iterations.Count, last?.PolicyVersion ?? 0,
                last?.Metrics ?? new Dictionary<string, double>(), state.LatestCheckpoint?.Path));
        }
        return runs;
    }

    /// <summary>The full state of <paramref name="runId"/> (metrics of every iteration, retained checkpoints...), or null when unknown.</summary>
    public async Task<RunState?> ShowAsync(string runId, CancellationToken cancellationToken = default)
    {
        var id = RunJournal.PersistenceIdOf(runId);
        var state = await LoadAsync(id, cancellationToken).ConfigureAwait(false);
        return ReferenceEquals(state, RunState.Empty) ? null : state;
    }

    private async Task<RunState> LoadAsync(string persistenceId, CancellationToken cancellationToken)
    {
        var state = RunState.Empty;
        long from = 1;
        if (await _snapshots.LoadAsync(persistenceId, SnapshotSelectionCriteria.Latest, cancellationToken).ConfigureAwait(false) is { } snapshot)
        {
            state = (RunState)snapshot.Snapshot;
            from = snapshot.Metadata.SequenceNr + 1;
        }
        var events = new List<IRunEvent>();
        await _journal.ReplayMessagesAsync(persistenceId, from, long.MaxValue, long.MaxValue, p => events.Add((IRunEvent)p.Payload), cancellationToken)
            .ConfigureAwait(false);
        foreach (var e in events) state = state.Apply(e);
        return state;
    }
}
