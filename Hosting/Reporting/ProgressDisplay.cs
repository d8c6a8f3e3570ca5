using AkkaRlhf.Actors.Pipeline;
using Spectre.Console;

namespace AkkaRlhf.Hosting.Reporting;

/// <summary>
/// Shows pipeline progress: live per-stage progress bars (Spectre.Console) on an interactive
/// terminal, plain lines (a few per stage) when output is redirected, so CI logs stay readable.
/// Thread-safe. Dispose it when the run ends to stop the live display.
/// </summary>
/// <example>
/// <code>
/// using var display = new ProgressDisplay();
/// var recorder = new MetricRecorder();
/// IProgressReporter progress = new CompositeProgressReporter(display, recorder);
/// </code>
/// </example>
public sealed class ProgressDisplay : IProgressReporter, IDisposable
{
    private readonly IProgressReporter _sink;

    /// <summary>Progress on <paramref name="output"/> (the console when null): bars if it is an interactive terminal, else plain lines.</summary>
    public ProgressDisplay(TextWriter? output = null, ProgressDisplayOptions? options = null)
    {
        output ??= Console.Out;
        options ??= new ProgressDisplayOptions();
        _sink = Terminal.IsInteractive(output) ? new RichProgress(AnsiConsole.Console, options) : new PlainProgress(output, options);
        IsInteractive = _sink is RichProgress;
    }

    /// <summary>Live progress bars on <paramref name="console"/>.</summary>
    public ProgressDisplay(IAnsiConsole console, ProgressDisplayOptions? options = null)
    {
        _sink = new RichProgress(console, options ?? new ProgressDisplayOptions());
        IsInteractive = true;
    }

    private ProgressDisplay(IProgressReporter sink) => _sink = sink;

    /// <summary>Plain progress lines on <paramref name="writer"/>, whatever it is.</summary>
    public static ProgressDisplay Plain(TextWriter writer, ProgressDisplayOptions? options = null) =>
        new(new PlainProgress(writer, options ?? new ProgressDisplayOptions()));

    /// <summary>True when drawing live bars, false when writing plain lines.</summary>
    public bool IsInteractive { get; }

    /// <inheritdoc />
    public void StageStarted(string stage, int totalSteps) => _sink.StageStarted(stage, totalSteps);

    /// <inheritdoc />
    public void StepCompleted(string stage, int step, IReadOnlyDictionary<string, double> metrics) => _sink.StepCompleted(stage, step, metrics);

    /// <inheritdoc />
    public void StageCompleted(string stage, IReadOnlyDictionary<string, double> summary) => _sink.StageCompleted(stage, summary);

    /// <inheritdoc />
    public void StagePreparing(string stage, string what, int done, int total) => _sink.StagePreparing(stage, what, done, total);

    /// <summary>Stops the live display (the final bars stay on screen).</summary>
    public void Dispose() => (_sink as IDisposable)?.Dispose();
}
