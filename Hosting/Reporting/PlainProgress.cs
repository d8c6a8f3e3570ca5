using System.Diagnostics;
using AkkaRlhf.Actors.Pipeline;

namespace AkkaRlhf.Hosting.Reporting;

/// <summary>
/// Progress as plain lines for logs: one when a stage starts, one every N steps (with percentage,
/// metrics and ETA) and one when it ends. Thread-safe.
/// </summary>
internal sealed class PlainProgress(TextWriter writer, ProgressDisplayOptions options) : IProgressReporter
{
    private readonly object _gate = new();
    private readonly Dictionary<string, (int Total, Stopwatch Clock)> _stages = [];

    public void StageStarted(string stage, int totalSteps)
    {
        lock (_gate)
        {
            _stages[stage] = (totalSteps, Stopwatch.StartNew());
            Write($"{stage}: started" + (totalSteps > 0 ? $", {totalSteps} steps" : ""));
        }
    }

    public void StepCompleted(string stage, int step, IReadOnlyDictionary<string, double> metrics)
    {
        lock (_gate)
        {
            if (!_stages.TryGetValue(stage, out var s)) _stages[stage] = s = (0, Stopwatch.StartNew());
            if (!Due(step, s.Total)) return;
            var progress = s.Total > 0 ? $"step {step}/{s.Total} ({100 * step / s.Total}%)" : $"step {step}";
            var eta = s.Total > step ? $"  eta {MetricText.Duration(s.Clock.Elapsed / step * (s.Total - step))}" : "";
            var values = MetricText.Format(metrics, options.MaxMetrics);
            Write($"{stage}: {progress}{(values.Length > 0 ? "  " + values : "")}{eta}");
        }
    }

    public void StageCompleted(string stage, IReadOnlyDictionary<string, double> summary)
    {
        lock (_gate)
        {
            var took = _stages.Remove(stage, out var s) ? $" in {MetricText.Duration(s.Clock.Elapsed)}" : "";
            var values = MetricText.Format(summary);
            Write($"{stage}: done{took}{(values.Length > 0 ? "  " + values : "")}");
        }
    }

    public void StagePreparing(string stage, string what, int done, int total)
    {
        lock (_gate) Write($"{stage}: preparing: {what} {done}/{total}");
    }

    /// <summary>Every N-th step, the first and the last.</summary>
    private bool Due(int step, int total)
    {
        var every = options.PlainEvery ?? (total > 0 ? Math.Max(1, (int)Math.Ceiling(total / (double)Math.Max(1, options.PlainLinesPerStage))) : 10);
        return step == 1 || step == total || step % Math.Max(1, every) == 0;
    }

    private void Write(string line)
    {
        writer.WriteLine(line);
        writer.Flush();
    }
}
