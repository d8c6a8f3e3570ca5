using System.Diagnostics;
using AkkaRlhf.Actors.Pipeline;

/// <summary>Wall time of every PPO iteration ("wall", seconds), with its metrics (bench/Pipeline, bench/Gpt2Small).</summary>
sealed class Timed : IProgressReporter
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private double _last;
    public List<Dictionary<string, double>> Steps { get; } = [];
    public void StageStarted(string stage, int totalSteps) => _last = _clock.Elapsed.TotalSeconds;
    public void StepCompleted(string stage, int step, IReadOnlyDictionary<string, double> metrics)
    {
        var now = _clock.Elapsed.TotalSeconds;
        lock (Steps) Steps.Add(new Dictionary<string, double>(metrics) { ["wall"] = now - _last });
        _last = now;
    }
    public void StageCompleted(string stage, IReadOnlyDictionary<string, double> summary) { }
}
