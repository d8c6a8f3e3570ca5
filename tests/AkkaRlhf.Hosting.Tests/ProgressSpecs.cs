using AkkaRlhf.Actors.Pipeline;
using AkkaRlhf.Hosting.Reporting;
using Spectre.Console;

namespace AkkaRlhf.Hosting.Tests;

public sealed class ProgressSpecs
{
    private static Dictionary<string, double> Metrics(int step) => new() { ["reward"] = step / 100.0, ["kl"] = step / 1000.0, ["loss"] = 1, ["extra"] = 2 };

    [Fact]
    public void The_plain_display_prints_a_start_line_a_few_step_lines_and_an_end_line_per_stage()
    {
        var output = new StringWriter();
        using (var display = ProgressDisplay.Plain(output))
        {
            display.StageStarted("ppo", 100);
            for (var step = 1; step <= 100; step++) display.StepCompleted("ppo", step, Metrics(step));
            display.StageCompleted("ppo", new Dictionary<string, double> { ["reward"] = 0.41 });
            Assert.False(display.IsInteractive);
        }

        var lines = output.ToString().TrimEnd().Split(Environment.NewLine);
        Assert.Equal("ppo: started, 100 steps", lines[0]);
        Assert.StartsWith("ppo: step 1/100 (1%)  reward 0.01  kl 0.001  loss 1  eta ", lines[1]);
        Assert.StartsWith("ppo: step 10/100 (10%)  reward 0.1  kl 0.01  loss 1", lines[2]);
        Assert.Equal("ppo: step 100/100 (100%)  reward 1  kl 0.1  loss 1", lines[^2]);
        Assert.Matches(@"^ppo: done in \d+\.\ds  reward 0\.41$", lines[^1]);
        Assert.Equal(13, lines.Length); // start, step 1, 10 x every 10th, done
        Assert.DoesNotContain(lines, l => l.Contains("extra"));
    }

    [Fact]
    public void The_plain_display_honours_a_fixed_step_interval_and_stages_it_never_saw_start()
    {
        var output = new StringWriter();
        var display = ProgressDisplay.Plain(output, new ProgressDisplayOptions { PlainEvery = 5 });

        for (var step = 1; step <= 12; step++) display.StepCompleted("dpo", step, new Dictionary<string, double>());

        Assert.Equal(["dpo: step 1", "dpo: step 5", "dpo: step 10"], output.ToString().TrimEnd().Split(Environment.NewLine));
    }

    [Fact]
    public void Preparation_before_the_first_step_reaches_the_plain_display_through_the_composite()
    {
        var output = new StringWriter();
        IProgressReporter progress = new CompositeProgressReporter(ProgressDisplay.Plain(output), new MetricRecorder());
        progress.StageStarted("dpo", 300);
        progress.StagePreparing("dpo", "reference log-probs of the pairs", 256, 4000);
        progress.StagePreparing("dpo", "reference log-probs of the pairs", 4000, 4000);
        Assert.Equal(["dpo: started, 300 steps", "dpo: preparing: reference log-probs of the pairs 256/4000",
            "dpo: preparing: reference log-probs of the pairs 4000/4000"], output.ToString().TrimEnd().Split(Environment.NewLine));
    }

    [Fact]
    public void The_live_display_draws_a_bar_per_stage_on_an_interactive_console()
    {
        var output = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.Yes, Interactive = InteractionSupport.Yes, Out = new AnsiConsoleOutput(output),
        });

        using (var display = new ProgressDisplay(console))
        {
            display.StageStarted("sft", 10);
            Parallel.For(1, 11, step => display.StepCompleted("sft", step, Metrics(step)));
            display.StageCompleted("sft", new Dictionary<string, double> { ["loss"] = 0.5 });
            display.StageStarted("ppo", 0);
        }

        var text = output.ToString();
        Assert.Contains("sft", text);
        Assert.Contains("loss 0.5", text);
        Assert.Contains("10/10", text);
        Assert.Contains("ppo", text);
    }

    [Fact]
    public void A_second_live_display_on_the_same_console_falls_back_to_plain_lines()
    {
        var output = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No, Interactive = InteractionSupport.Yes, Out = new AnsiConsoleOutput(output),
        });
        using var first = new ProgressDisplay(console);
        first.StageStarted("sft", 2);

        using (var second = new ProgressDisplay(console))
            second.StageStarted("rm", 3);

        Assert.Contains("rm: started, 3 steps", output.ToString());
    }

    [Fact]
    public void The_recorder_collects_series_in_step_order_under_concurrent_calls()
    {
        var recorder = new MetricRecorder();
        recorder.StageStarted("ppo", 500);

        Parallel.For(1, 501, new ParallelOptions { MaxDegreeOfParallelism = 8 }, step =>
        {
            recorder.StepCompleted("ppo", step, new Dictionary<string, double> { ["reward"] = step, ["kl"] = -step });
            recorder.StepCompleted("rm", step, new Dictionary<string, double> { ["loss"] = step });
        });
        recorder.StageCompleted("ppo", new Dictionary<string, double> { ["reward"] = 500 });

        var series = recorder.Series;
        Assert.Equal(3, series.Count);
        Assert.True(series.ToList().FindIndex(s => s.Name == "reward") < series.ToList().FindIndex(s => s.Name == "kl"));
        foreach (var s in series)
        {
            Assert.Equal(Enumerable.Range(1, 500), s.Points.Select(p => p.Step));
            Assert.All(s.Points, p => Assert.Equal(s.Name == "kl" ? -p.Step : p.Step, p.Value));
        }
        Assert.Equal("ppo", Assert.Single(recorder.Stages).Stage);
        Assert.Equal(500, recorder.Summaries["ppo"]["reward"]);
    }

    [Fact]
    public void The_composite_reporter_forwards_every_call_to_each_reporter()
    {
        var first = new MetricRecorder();
        var second = new MetricRecorder();
        IProgressReporter both = new CompositeProgressReporter(first, second);

        both.StageStarted("sft", 2);
        both.StepCompleted("sft", 1, new Dictionary<string, double> { ["loss"] = 2 });
        both.StepCompleted("sft", 2, new Dictionary<string, double> { ["loss"] = 1 });
        both.StageCompleted("sft", new Dictionary<string, double>());

        foreach (var recorder in new[] { first, second })
        {
            var series = Assert.Single(recorder.Series);
            Assert.Equal([new MetricPoint(1, 2), new MetricPoint(2, 1)], series.Points);
            Assert.Contains("sft", recorder.Summaries.Keys);
        }
    }
}
