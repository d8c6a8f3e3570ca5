using System.Collections.Immutable;
using System.Text.Json.Serialization;

namespace AkkaRlhf.Persistence.Runs;

/// <summary>
/// What the journal knows about a run, folded from its events by <see cref="Apply"/> (the same fold serves the
/// <see cref="RunRecorder"/> and the <see cref="RunCatalog"/>). Also the recorder's snapshot.
/// </summary>
public sealed record RunState
{
    /// <summary>The state before any event.</summary>
    public static RunState Empty { get; } = new();

    /// <summary>The run id ("" before RunStarted).</summary>
    public string RunId { get; init; } = "";

    /// <summary>The configuration the run started with.</summary>
    public string ConfigSnapshot { get; init; } = "";

    /// <summary>The run's seed.</summary>
    public long Seed { get; init; }

    /// <summary>The current status.</summary>
    public RunStatus Status { get; init; } = RunStatus.Created;

    /// <summary>Why the status last changed, if given.</summary>
    public string? StatusReason { get; init; }

    /// <summary>Every completed iteration with its metrics, in order.</summary>
    public IReadOnlyList<IterationCompleted> Iterations { get; init; } = [];

    /// <summary>The checkpoints still retained, oldest first.</summary>
    public IReadOnlyList<CheckpointSaved> Checkpoints { get; init; } = [];

    /// <summary>The read position of each data source.</summary>
    public IReadOnlyDictionary<string, DataCursorAdvanced> DataCursors { get; init; } = new Dictionary<string, DataCursorAdvanced>();

    /// <summary>The saved state of each named random generator.</summary>
    public IReadOnlyDictionary<string, byte[]> RngStates { get; init; } = new Dictionary<string, byte[]>();

    /// <summary>The last completed iteration, or null.</summary>
    [JsonIgnore]
    public IterationCompleted? LastIteration => Iterations.Count > 0 ? Iterations[^1] : null;

    /// <summary>The newest retained checkpoint, or null.</summary>
    [JsonIgnore]
    public CheckpointSaved? LatestCheckpoint => Checkpoints.Count > 0 ? Checkpoints[^1] : null;

    /// <summary>The state after <paramref name="event"/>.</summary>
    public RunState Apply(IRunEvent @event) => @event switch
    {
        RunStarted s => this with { RunId = s.RunId, ConfigSnapshot = s.ConfigSnapshot, Seed = s.Seed, Status = RunStatus.Running },
        IterationCompleted i => this with { Iterations = Appendable(Iterations).Add(i) },      // recovery stays linear in the events
        DataCursorAdvanced d => this with { DataCursors = new Dictionary<string, DataCursorAdvanced>(DataCursors) { [d.Source] = d } },
        RngStateSaved r => this with { RngStates = new Dictionary<string, byte[]>(RngStates) { [r.Name] = r.State } },
        CheckpointSaved c => this with { Checkpoints = [.. Checkpoints.Where(k => k.Path != c.Path), c] },
        CheckpointsPruned p => this with { Checkpoints = Checkpoints.Where(k => !p.Paths.Contains(k.Path)).ToList() },
        RunStatusChanged s => this with { Status = s.Status, StatusReason = s.Reason },
        _ => throw new ArgumentException($"Unknown run event {@event.GetType().Name}.", nameof(@event)),
    };

    private static ImmutableList<IterationCompleted> Appendable(IReadOnlyList<IterationCompleted> list) =>
        list as ImmutableList<IterationCompleted> ?? ImmutableList.CreateRange(list);
}
