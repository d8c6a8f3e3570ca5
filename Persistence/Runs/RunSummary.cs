namespace AkkaRlhf.Persistence.Runs;

/// <summary>One line of <c>runs list</c>: a run's status, progress and last metrics.</summary>
public sealed record RunSummary(
    string RunId,
    RunStatus Status,
    long Iterations,
    long PolicyVersion,
    IReadOnlyDictionary<string, double> LastMetrics,
    string? LatestCheckpoint);
