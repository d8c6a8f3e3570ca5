using AkkaRlhf.Actors.Pipeline;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace AkkaRlhf.Hosting.Reporting;

/// <summary>
/// Live Spectre.Console progress bars, one per stage: description with the latest metrics, bar,
/// step/total, percentage, ETA and elapsed time. The live display runs on its own thread until
/// disposed; calls from actor threads only update the tasks (Spectre's tasks are thread-safe).
/// If the live display cannot start (another one is running), progress goes out as plain lines.
/// </summary>
internal sealed class RichProgress : IProgressReporter, IDisposable
{
    private readonly ProgressDisplayOptions _options;
    private readonly Dictionary<string, ProgressTask> _tasks = [];
    private readonly TaskCompletionSource<ProgressContext> _context = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ManualResetEventSlim _done = new();
    private readonly Task _display;
    private readonly object _gate = new();
    private readonly PlainProgress _fallback;
    private int _stageWidth = 5;

    public RichProgress(IAnsiConsole console, ProgressDisplayOptions options)
    {
        _options = options;
        _fallback = new PlainProgress(console.Profile.Out.Writer, options);
        var progress = console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new StepsColumn(),
                new PercentageColumn(), new RemainingTimeColumn(), new ElapsedTimeColumn());
        _display = Task.Factory.StartNew(() => Run(progress), TaskCreationOptions.LongRunning);
    }

    private void Run(Progress progress)
    {
        try
        {
            progress.Start(ctx =>
            {
                _context.TrySetResult(ctx);
                _done.Wait();
                ctx.Refresh();
            });
        }
        catch (Exception e)
        {
            _context.TrySetException(e);
        }
    }

    public void StageStarted(string stage, int totalSteps)
    {
        if (!Live) { _fallback.StageStarted(stage, totalSteps); return; }
        lock (_gate)
        {
            _stageWidth = Math.Max(_stageWidth, stage.Length);
            var task = TaskFor(stage);
            task.IsIndeterminate = totalSteps <= 0;
            task.MaxValue = Math.Max(1, totalSteps);
            task.Value = 0;
            task.StartTask();
        }
    }

    public void StepCompleted(string stage, int step, IReadOnlyDictionary<string, double> metrics)
    {
        if (!Live) { _fallback.StepCompleted(stage, step, metrics); return; }
        lock (_gate)
        {
            var task = TaskFor(stage);
            if (step > task.MaxValue && task.IsIndeterminate) task.MaxValue = step;
            task.Value = Math.Min(step, task.MaxValue);
            task.Description = Describe(stage, MetricText.Format(metrics, _options.MaxMetrics));
        }
    }

    public void StagePreparing(string stage, string what, int done, int total)
    {
        if (!Live) { _fallback.StagePreparing(stage, what, done, total); return; }
        lock (_gate) TaskFor(stage).Description = Describe(stage, $"preparing: {what} {done}/{total}");
    }

    public void StageCompleted(string stage, IReadOnlyDictionary<string, double> summary)
    {
        if (!Live) { _fallback.StageCompleted(stage, summary); return; }
        lock (_gate)
        {
            var task = TaskFor(stage);
            task.IsIndeterminate = false;
            task.Value = task.MaxValue;
            task.Description = Describe(stage, MetricText.Format(summary, _options.MaxMetrics));
            task.StopTask();
        }
    }

    /// <summary>True once the live display runs; false if it failed to start (waits until it is one or the other).</summary>
    private bool Live
    {
        get
        {
            ((Task)_context.Task).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing).GetAwaiter().GetResult();
            return _context.Task.IsCompletedSuccessfully;
        }
    }

    /// <summary>The stage's task, created on first use.</summary>
    private ProgressTask TaskFor(string stage)
    {
        if (_tasks.TryGetValue(stage, out var task)) return task;
        return _tasks[stage] = _context.Task.Result.AddTask(Describe(stage, ""), autoStart: false);
    }

    private string Describe(string stage, string metrics) =>
        Markup.Escape(stage.PadRight(_stageWidth) + "  " + metrics).TrimEnd();

    /// <summary>Ends the live display, leaving the final bars on screen.</summary>
    public void Dispose()
    {
        _done.Set();
        _display.Wait(TimeSpan.FromSeconds(5));
        _done.Dispose();
    }

    /// <summary>"12/200".</summary>
    private sealed class StepsColumn : ProgressColumn
    {
        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
            new Text($"{task.Value:0}/{task.MaxValue:0}", new Style(Color.Grey));
    }
}
