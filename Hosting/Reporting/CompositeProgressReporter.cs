using AkkaRlhf.Actors.Pipeline;

namespace AkkaRlhf.Hosting.Reporting;

/// <summary>Forwards every call to several reporters, in order (e.g. a <see cref="ProgressDisplay"/> and a <see cref="MetricRecorder"/>).</summary>
public sealed class CompositeProgressReporter(params IProgressReporter[] reporters) : IProgressReporter
{
    private readonly IProgressReporter[] _reporters = [.. reporters];

    /// <summary>The reporters called, in order.</summary>
    public IReadOnlyList<IProgressReporter> Reporters => _reporters;

    /// <inheritdoc />
    public void StageStarted(string stage, int totalSteps)
    {
        foreach (var r in _reporters) r.StageStarted(stage, totalSteps);
    }

    /// <inheritdoc />
    public void StepCompleted(string stage, int step, IReadOnlyDictionary<string, double> metrics)
    {
        foreach (var r in _reporters) r.StepCompleted(stage, step, metrics);
    }

    /// <inheritdoc />
    public void StageCompleted(string stage, IReadOnlyDictionary<string, double> summary)
    {
        foreach (var r in _reporters) r.StageCompleted(stage, summary);
    }

    /// <inheritdoc />
    public void StagePreparing(string stage, string what, int done, int total)
    {
        foreach (var r in _reporters) r.StagePreparing(stage, what, done, total);
    }
}
