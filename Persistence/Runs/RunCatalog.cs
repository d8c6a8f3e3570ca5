using Akka.Actor;
using Akka.Persistence.Query;
using Akka.Persistence.Sql.Query;
using Akka.Streams;
using Akka.Streams.Dsl;

namespace AkkaRlhf.Persistence.Runs;

/// <summary>
/// Reads runs from the journal through Akka.Persistence.Query (for <c>akka-rlhf runs list|show</c>), without starting
/// their recorders: the runs are the persistence ids starting with <c>run-</c>; each one's <see cref="RunState"/> is the
/// fold of its events. <paramref name="system"/> must be configured with a SQL journal (<see cref="PersistenceSettings.ToAkkaConfig"/>).
/// </summary>
public sealed class RunCatalog(ActorSystem system)
{
    private readonly SqlReadJournal _journal = PersistenceQuery.Get(system).ReadJournalFor<SqlReadJournal>(SqlReadJournal.Identifier);
    private readonly IMaterializer _materializer = system.Materializer();

    /// <summary>Every run, sorted by id, with its status and last metrics.</summary>
    public async Task<IReadOnlyList<RunSummary>> ListAsync()
    {
        var ids = await _journal.CurrentPersistenceIds().Where(id => id.StartsWith(RunJournal.PersistenceIdPrefix, StringComparison.Ordinal))
            .RunWith(Sink.Seq<string>(), _materializer).ConfigureAwait(false);
        var runs = new List<RunSummary>(ids.Count);
        foreach (var id in ids.Order(StringComparer.Ordinal))
        {
            var state = await LoadAsync(id).ConfigureAwait(false);
            var last = state.LastIteration;
            runs.Add(new RunSummary(
                id[RunJournal.PersistenceIdPrefix.Length..], state.Status, state.Iterations.Count, last?.PolicyVersion ?? 0,
                last?.Metrics ?? new Dictionary<string, double>(), state.LatestCheckpoint?.Path));
        }
        return runs;
    }

    /// <summary>The full state of <paramref name="runId"/> (metrics of every iteration, retained checkpoints...), or null when unknown.</summary>
    public async Task<RunState?> ShowAsync(string runId)
    {
        var state = await LoadAsync(RunJournal.PersistenceIdOf(runId)).ConfigureAwait(false);
        return ReferenceEquals(state, RunState.Empty) ? null : state;
    }

    private Task<RunState> LoadAsync(string persistenceId) =>
        _journal.CurrentEventsByPersistenceId(persistenceId, 0, long.MaxValue)
            .RunAggregate(RunState.Empty, (state, envelope) => state.Apply((IRunEvent)envelope.Event), _materializer);
}
