using System.Text.Json.Nodes;
using AkkaRlhf.Tests.Shared;
using Xunit.Abstractions;

namespace AkkaRlhf.Resume.Tests;

/// <summary>
/// The demo as a user runs it: <c>akka-rlhf demo</c> killed with SIGKILL during PPO and run again with
/// <c>--resume RUN</c> ends with the report of an uninterrupted run of the same seed (every figure, series and target;
/// wall-clock times and the run's name aside).
/// </summary>
public sealed class DemoResumeSpecs(ITestOutputHelper output) : IDisposable
{
    private readonly CliHarness _cli = new(output);

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task A_demo_killed_during_ppo_and_resumed_must_end_with_the_report_of_an_uninterrupted_run()
    {
        var config = await _cli.Prepare(TinyCliConfig.Hocon("""
            rm { steps = 20, batch-size = 8 }
            ppo { iterations = 16, prompts-per-iteration = 32, generator { max-new-tokens = 6 } }
            dpo { steps = 10, batch-size = 8 }
            checkpoint { every = 2, keep-last = 2 }
            eval { prompts = 32 }
            """));
        await _cli.Run("demo", "--config", config, "--out", "full");
        var killed = Path.Combine(_cli.Dir, "killed");
        await _cli.StartAndKill(["demo", "--config", config, "--out", "killed"], killed, "killed.ppo", killAfter: 5);
        await _cli.Run("demo", "--resume", killed);

        var (expected, actual) = (Comparable(Path.Combine(_cli.Dir, "full")), Comparable(killed));
        Assert.Equal(expected.ToJsonString(), actual.ToJsonString());
        output.WriteLine(actual["comparison"]!.ToJsonString());
    }

    /// <summary>report.json without what may differ between two runs of the same seed: names, clock times and timing series.</summary>
    private static JsonNode Comparable(string runDir)
    {
        var report = JsonNode.Parse(File.ReadAllText(Path.Combine(runDir, "report.json")))!.AsObject();
        foreach (var key in new[] { "runId", "started", "totalSeconds", "stages" }) report.Remove(key);
        var series = report["series"]!.AsArray();
        foreach (var timing in series.Where(s => ((string)s!["name"]!).StartsWith("t_", StringComparison.Ordinal)).ToList()) series.Remove(timing);
        var targets = report["targets"]!.AsArray();
        foreach (var wall in targets.Where(t => ((string)t!["name"]!).StartsWith("wall time", StringComparison.Ordinal)).ToList()) targets.Remove(wall);
        return report;
    }
}
