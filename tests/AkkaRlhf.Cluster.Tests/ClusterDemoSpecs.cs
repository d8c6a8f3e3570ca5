using AkkaRlhf.Cluster.Tests.Support;
using AkkaRlhf.Hosting.Reporting;
using Xunit.Abstractions;

namespace AkkaRlhf.Cluster.Tests;

/// <summary>
/// <c>akka-rlhf demo --cluster 3 --chaos kill-rollout@10</c>, as a user runs it: the demo's PPO on three member processes,
/// the rollout member SIGKILLed while iteration 10 runs and replaced; the report's cluster section accounts for every batch.
/// </summary>
public sealed class ClusterDemoSpecs(ITestOutputHelper output) : ClusterSpec(output)
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "akka-rlhf-cluster-demo-" + Guid.NewGuid().ToString("N"));

    public override void Dispose()
    {
        base.Dispose();
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task The_demo_on_three_members_with_a_rollout_member_killed_must_lose_and_duplicate_no_batch_and_keep_its_quality()
    {
        Directory.CreateDirectory(_dir);
        var demo = await StartCliAsync("demo --cluster 3", _dir, null, "demo", "--cluster", "3", "--chaos", "kill-rollout@10", "--out", "run");
        Assert.Equal(0, await demo.WaitForExitAsync(TimeSpan.FromMinutes(5)));

        var report = ReportReader.Read(Path.Combine(_dir, "run", "report.json"));
        var cluster = report.Cluster ?? throw new InvalidOperationException("report.json has no cluster section");
        var kill = Assert.Single(cluster.Events, e => e.What.StartsWith("SIGKILL rollout-1", StringComparison.Ordinal));
        Output.WriteLine($"killed at iteration {kill.Iteration}");
        Assert.Equal(10, kill.Iteration);                                             // the driver sees every step, the first ones too
        Assert.Contains(demo.Lines, l => l.StartsWith("ppo: started, 60 steps", StringComparison.Ordinal));
        Assert.Contains(cluster.Nodes, n => n.Name == "rollout-1" && n.Status == "killed");
        Assert.Contains(cluster.Nodes, n => n.Name == "rollout-2" && n.Roles == "rollout");
        var all = cluster.Batches.Single(b => b.Role == "all");
        Output.WriteLine($"batches: {all}");
        Assert.Equal(0, all.Lost);
        Assert.Equal(0, all.Duplicated);
        Assert.Equal(all.Sent, all.Completed);
        // PPO still far above SFT: the demo's own bar (>= 20 SFT standard errors), every PPO iteration in the report
        var (sft, ppo) = (report.Comparison.Single(r => r.Model == "SFT"), report.Comparison.Single(r => r.Model == "PPO"));
        Assert.True((ppo.TrueReward - sft.TrueReward) / sft.TrueRewardStdErr >= 20, $"PPO {ppo.TrueReward} vs SFT {sft.TrueReward} ± {sft.TrueRewardStdErr}");
        Assert.Equal(Enumerable.Range(1, 60), report.Series.Single(s => s.Stage == "ppo" && s.Name == "batch_id").Points.Select(p => (int)p.Value));
    }
}
