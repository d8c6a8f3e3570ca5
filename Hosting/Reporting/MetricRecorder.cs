using System.Diagnostics;
using AkkaRlhf.Actors.Pipeline;

namespace AkkaRlhf.Hosting.Reporting;

/// <summary>
/// Collects every <see cref="IProgressReporter.StepCompleted"/> into <see cref="MetricSeries"/> for
/// the report, and times each stage. Thread-safe: calls may come from any actor thread.
/// </summary>
public sealed class MetricRecorder : IProgressReporter
{
    private readonly object _gate = new();
    private readonly List<(string Stage, string Name)> _order = [];
    private readonly Dictionary<(string Stage, string Name), List<MetricPoint>> _points = [];
    private readonly List<string> _stages = [];
    private readonly Dictionary<string, Stopwatch> _clocks = [];
    private readonly Dictionary<string, IReadOnlyDictionary<string, double>> _summaries = [];

    /// <inheritdoc />
    public void StageStarted(string stage, int totalSteps)
    {
        lock (_gate)
        {
            if (!_clocks.ContainsKey(stage)) _stages.Add(stage);
            _clocks[stage] = Stopwatch.StartNew();
        }
    }

    /// <inheritdoc />
    public void StepCompleted(string stage, int step, IReadOnlyDictionary<string, double> metrics)
    {
        lock (_gate)
        {
            foreach (var (name, value) in metrics)
            {
                var key = (stage, name);
                Add(key, new MetricPoint(step, value));
            }
        }
    }

    /// <inheritdoc />
    public void StageCompleted(string stage, IReadOnlyDictionary<string, double> summary)
    {
        lock (_gate)
        {
            if (_clocks.TryGetValue(stage, out var clock)) clock.Stop();
            _summaries[stage] = new Dictionary<string, double>(summary);
        }
    }

    /// <summary>
    /// The series recorded so far: in the order each (stage, metric) first appeared, points sorted by
    /// step (calls racing on different threads may arrive out of order).
    /// </summary>
    /// <summary>
    /// Adds points an earlier process recorded (a resumed run: its finished stages' saved series, the journaled iterations of
    /// an interrupted one), so that its report has the whole run. A step reported again replaces the earlier point.
    /// </summary>
    public void Restore(IEnumerable<MetricSeries> series)
    {
        lock (_gate)
            foreach (var s in series)
                foreach (var point in s.Points) Add((s.Stage, s.Name), point);
    }

    /// <summary>The series of <paramref name="stage"/>, in recording order (saved beside a finished stage's model).</summary>
    public IReadOnlyList<MetricSeries> SeriesOf(string stage) => Series.Where(s => s.Stage == stage).ToList();

    private void Add((string Stage, string Name) key, MetricPoint point)
    {
        if (!_points.TryGetValue(key, out var points))
        {
            _points[key] = points = [];
            _order.Add(key);
        }
        var same = points.FindIndex(p => p.Step == point.Step);
        if (same >= 0) points[same] = point;
        else points.Add(point);
    }

    public IReadOnlyList<MetricSeries> Series
    {
        get
        {
            lock (_gate)
                return _order.Select(k => new MetricSeries(k.Stage, k.Name, _points[k].OrderBy(p => p.Step).ToList())).ToList();
        }
    }

    /// <summary>Each started stage with its duration (up to now for a stage still running), in start order.</summary>
    public IReadOnlyList<StageTiming> Stages
    {
        get
        {
            lock (_gate) return _stages.Select(s => new StageTiming(s, _clocks[s].Elapsed.TotalSeconds)).ToList();
        }
    }

    /// <summary>The summary each completed stage reported, by stage.</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> Summaries
    {
        get
        {
            lock (_gate) return new Dictionary<string, IReadOnlyDictionary<string, double>>(_summaries);
        }
    }
}
