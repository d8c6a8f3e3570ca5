namespace AkkaRlhf.Hosting.Reporting;

/// <summary>How a <see cref="ProgressDisplay"/> shows progress.</summary>
public sealed record ProgressDisplayOptions
{
    /// <summary>Most metrics shown beside a stage (the first ones the stage reports). Default 3.</summary>
    public int MaxMetrics { get; init; } = 3;

    /// <summary>Plain output: about this many step lines per stage (plus its start and end lines). Default 10.</summary>
    public int PlainLinesPerStage { get; init; } = 10;

    /// <summary>Plain output: a step line every this many steps; overrides <see cref="PlainLinesPerStage"/> when set.</summary>
    public int? PlainEvery { get; init; }
}
