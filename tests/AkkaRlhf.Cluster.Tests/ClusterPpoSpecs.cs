using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using AkkaRlhf.Tests.Shared;
using AkkaRlhf.Cluster.Tests.Support;
using AkkaRlhf.Hosting.Reporting;
using Xunit.Abstractions;

namespace AkkaRlhf.Cluster.Tests;

/// <summary>
/// PPO across real member processes on loopback (Akka.Cluster over dot-netty TCP), with SIGKILL: the members are
/// <c>akka-rlhf node --roles ...</c> (and <c>train ppo</c>, a learner member that exits when the run ends), built from the
/// same SFT and reward-model checkpoints. Each run is compared with the single-process <c>train ppo</c> of the same config
/// and seed through the metric streams in report.json (which the run's coordinator writes from its journal).
/// </summary>
public sealed class ClusterPpoSpecs(ITestOutputHelper output) : ClusterSpec(output)
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(4);
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "akka-rlhf-cluster-ppo-" + Guid.NewGuid().ToString("N"));
    private readonly int _seedPort = FreePort();

    public override void Dispose()
    {
        base.Dispose();
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    /// <summary>The tiny CLI configuration with a reward model and <paramref name="ppo"/> as the body of <c>akka-rlhf.ppo</c>.</summary>
    private static string TinyConfig(string ppo, string model = TinyCliConfig.Model) =>
        TinyCliConfig.Hocon($"rm {{ steps = 4, batch-size = 8 }}\nppo {{ {ppo} }}", model);

    /// <summary>PPO settings whose iterations take about a second on two cores (a run still going when a spec acts on it).</summary>
    private const string SlowPpo = "prompts-per-iteration = 256, mode = sync, generator { pool-size = 2, max-new-tokens = 24 }" +
        ", learner { epochs = 1, minibatch-size = 128 }, critic { epochs = 1, minibatch-size = 128 }";

    private const string SlowModel = "n-layer = 2, n-head = 2, n-embd = 64, block-size = 48";

    /// <summary>
    /// Writes <c>single.conf</c> (<paramref name="config"/>) and <c>cluster.conf</c> (the same, with the four roles served by
    /// members, this spec's seed, a fast failure detector), trains the SFT and reward-model checkpoints, and runs the
    /// single-process PPO the clustered runs are compared with (in <c>single/</c>).
    /// </summary>
    private async Task PrepareAsync(string config, string weights = "shared")
    {
        Directory.CreateDirectory(_dir);
        File.WriteAllText(Path.Combine(_dir, "single.conf"), config);
        File.WriteAllText(Path.Combine(_dir, "cluster.conf"), $$"""
            include "single.conf"
            akka.cluster {
              seed-nodes = ["akka.tcp://akka-rlhf@127.0.0.1:{{_seedPort}}"]
              failure-detector { heartbeat-interval = 500ms, acceptable-heartbeat-pause = 2s }
            }
            akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = 0 }
            akka-rlhf.ppo {
              generator.cluster.enabled = on
              reference.cluster.enabled = on
              reward.cluster.enabled = on
              critic.cluster.enabled = on
            }
            akka-rlhf.cluster.weights.shared-dir = "{{(weights == "shared" ? "weights" : "")}}"
            """);
        await TrainCheckpointsAsync(_dir, "single.conf");
        await RunCliAsync(_dir, "train", "ppo", "--config", "single.conf", "--sft", "sft/model", "--rm", "rm/model", "--out", "single");
    }

    /// <summary>A member with <paramref name="roles"/> (a learner one journals into <c>clustered/</c>), started; <paramref name="port"/> 0 = any.</summary>
    private Task<NodeProcess> StartMemberAsync(string name, string roles, int port = 0) => StartCliAsync(name, _dir, "node ",
        "node", "--config", "cluster.conf", "--roles", roles, "--sft", "sft/model", "--rm", "rm/model", "--run", "clustered", "--port", port.ToString());

    /// <summary>The first seed: a learner member on the seed port (the oldest member, so the coordinator starts here).</summary>
    private async Task<NodeProcess> StartSeedAsync(string name = "learner-1", string roles = "learner")
    {
        var seed = await StartMemberAsync(name, roles, _seedPort);
        await seed.WaitForLineAsync(l => l.StartsWith("MemberUp: akka.tcp://akka-rlhf@127.0.0.1:" + _seedPort, StringComparison.Ordinal), TimeSpan.FromSeconds(60));
        return seed;
    }

    /// <summary>The PPO metric streams of a finished run (timings t_* aside), by metric name.</summary>
    private Dictionary<string, double[]> Metrics(string outDir) =>
        ReportReader.Read(Path.Combine(_dir, outDir, "report.json")).Series
            .Where(s => s.Stage == "ppo" && !s.Name.StartsWith("t_", StringComparison.Ordinal))
            .ToDictionary(s => s.Name, s => s.Points.OrderBy(p => p.Step).Select(p => p.Value).ToArray());

    /// <summary>The clustered run's metric streams equal the single-process run's, value by value, bit for bit.</summary>
    private void AssertSameRun(Dictionary<string, double[]> single, Dictionary<string, double[]> clustered, int iterations)
    {
        Assert.Equal(single.Keys.Order(), clustered.Keys.Order());
        foreach (var (name, values) in single)
        {
            Assert.Equal(iterations, values.Length);
            Assert.Equal(iterations, clustered[name].Length);
            for (var i = 0; i < iterations; i++)
                Assert.True(values[i].Equals(clustered[name][i]), $"iteration {i + 1} {name}: single {values[i]:R}, clustered {clustered[name][i]:R}");
        }
        Output.WriteLine($"{single.Values.Sum(v => v.Length)} metric values bit-identical to the single-process run");
    }

    /// <summary>The learner trained on prompt batches 1..N, each once, in order, nothing dropped or regenerated.</summary>
    private static void AssertEveryBatchOnce(Dictionary<string, double[]> metrics, int iterations)
    {
        Assert.Equal(Enumerable.Range(1, iterations).Select(i => (double)i), metrics["batch_id"]);
        Assert.Equal(Enumerable.Range(1, iterations).Select(i => (double)i), metrics["policy_version"]);
        Assert.All(metrics["dropped_batches"], d => Assert.Equal(0, d));
    }

    /// <summary>The coordinator's batch accounting of the run (cluster.json), in total.</summary>
    private JsonElement Work()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(_dir, "clustered", "cluster.json")));
        var roles = json.RootElement.GetProperty("Work").EnumerateArray().ToList();
        long Sum(string key) => roles.Sum(r => r.GetProperty(key).GetInt64());
        Output.WriteLine($"batches: sent {Sum("Sent")}, completed {Sum("Completed")}, re-sent {Sum("Redispatched")}, lost {Sum("Lost")}, duplicated {Sum("Duplicated")}");
        return JsonDocument.Parse(JsonSerializer.Serialize(new
        {
            Sent = Sum("Sent"), Completed = Sum("Completed"), Redispatched = Sum("Redispatched"), Lost = Sum("Lost"), Duplicated = Sum("Duplicated"),
        })).RootElement.Clone();
    }

    /// <summary>The last PPO iteration a coordinator printed.</summary>
    private static int Step(params NodeProcess[] coordinators) =>
        coordinators.SelectMany(c => c.Lines).Where(l => l.StartsWith("ppo: step ", StringComparison.Ordinal))
            .Select(l => int.Parse(l["ppo: step ".Length..l.IndexOf('/')])).DefaultIfEmpty().Max();

    private static Task ReachedAsync(int step, params NodeProcess[] coordinators) =>
        Eventually.Holds(() => Step(coordinators) >= step, RunTimeout, () => $"no coordinator reached step {step}");

    /// <summary>The (batch, part) pairs a rollout member printed.</summary>
    private static List<(int Batch, int Part)> Parts(NodeProcess node) =>
        [.. node.Lines.Select(l => l.Split(' ')).Where(w => w.Length > 4 && w[0] == "rollout:" && w[1] == "batch" && w[3] == "part")
            .Select(w => (int.Parse(w[2]), int.Parse(w[4])))];

    /// <summary>On either journal: the coordinator's report reads the run back from its recorder (<c>inmem</c> has no read journal).</summary>
    [Theory]
    [InlineData("sqlite")]
    [InlineData("inmem")]
    public async Task A_ppo_run_over_three_members_must_equal_the_single_node_run_on_the_same_seed_bit_for_bit(string journal)
    {
        const int iterations = 8;
        await PrepareAsync(TinyConfig($"iterations = {iterations}, prompts-per-iteration = 32, mode = sync, generator {{ pool-size = 2, max-new-tokens = 6 }}"),
            weights: "streamed");
        var coordinator = await StartCliAsync("train ppo", _dir, null, "train", "ppo", "--config", "cluster.conf", "--sft", "sft/model", "--rm", "rm/model",
            "--out", "clustered", "--set", $"akka.remote.dot-netty.tcp.port={_seedPort}", "--set", $"akka-rlhf.persistence.provider={journal}");
        var rollout = await StartMemberAsync("rollout", "rollout");
        var scorers = await StartMemberAsync("scorers", "reward,reference,critic");
        Assert.Equal(0, await coordinator.WaitForExitAsync(RunTimeout));

        var clustered = Metrics("clustered");
        AssertSameRun(Metrics("single"), clustered, iterations);
        AssertEveryBatchOnce(clustered, iterations);
        // the work went through the other processes: every part of every batch on the rollout member, all scoring on the scorers
        Assert.Equal(Enumerable.Range(1, iterations).SelectMany(b => new[] { (b, 0), (b, 1) }).Order(), Parts(rollout).Order());
        foreach (var served in new[] { "reward: ScoreRewards", "reference: ScoreReference", "critic: ComputeValues", "critic: TrainCritic" })
            Assert.Equal(iterations, scorers.Lines.Count(l => l.StartsWith(served + " batch", StringComparison.Ordinal)));
        // weights streamed in chunks to the rollout member, every version used for generation, verified
        for (var v = 1; v < iterations; v++) Assert.Contains(rollout.Lines, l => l.StartsWith($"policy v{v} applied", StringComparison.Ordinal));
        var work = Work();
        Assert.Equal(work.GetProperty("Sent").GetInt64(), work.GetProperty("Completed").GetInt64());
        Assert.Equal(0, work.GetProperty("Lost").GetInt64());
        Assert.Equal(0, work.GetProperty("Duplicated").GetInt64());
        // the coordinator's own timings: the part of its phases spent in messaging between nodes, and waiting for weights
        var t = ReportReader.Read(Path.Combine(_dir, "clustered", "report.json")).Series.Where(s => s.Stage == "ppo" && s.Name.StartsWith("t_", StringComparison.Ordinal))
            .ToDictionary(s => s.Name, s => s.Points.OrderBy(p => p.Step).Select(p => p.Value).ToArray());
        for (var i = 0; i < iterations; i++)
        {
            Assert.InRange(t["t_messaging"][i], 1e-6, t["t_generate"][i] + t["t_score"][i] + t["t_learn"][i]);   // remote requests cost something
            Assert.InRange(t["t_weight_wait"][i], 0, t["t_generate"][i]);
        }
        Assert.DoesNotContain("t_messaging", Metrics("single").Keys.Concat(ReportReader.Read(Path.Combine(_dir, "single", "report.json")).Series.Select(s => s.Name)));
        Output.WriteLine($"t_messaging per iteration (ms): {string.Join(" ", t["t_messaging"].Select(v => (v * 1000).ToString("F2")))}");
    }

    [Fact]
    public async Task A_rollout_member_killed_mid_batch_must_lose_and_repeat_no_batch_and_be_removed()
    {
        const int iterations = 10;
        await PrepareAsync(TinyConfig($"iterations = {iterations}, {SlowPpo}", SlowModel));
        var coordinator = await StartSeedAsync();
        var victim = await StartMemberAsync("rollout-victim", "rollout");
        var survivor = await StartMemberAsync("rollout-survivor", "rollout");
        await StartMemberAsync("scorers", "reward,reference,critic");
        await ReachedAsync(3, coordinator);

        // kill -9 the victim while it generates a part: frozen (SIGSTOP) the moment it prints a new part, then killed
        var before = Parts(victim).Count;
        await Eventually.Holds(() => Parts(victim).Count > before, RunTimeout, () => "the victim took no new part");
        victim.Signal(19);
        victim.Kill();
        var victimAddress = victim.Lines.First(l => l.StartsWith("node ", StringComparison.Ordinal)).Split(' ')[1];

        await coordinator.WaitForLineAsync(l => l.StartsWith("ppo run finished", StringComparison.Ordinal), RunTimeout);
        // what the victim held is what the coordinator re-sent (it may have answered its last printed part before the kill,
        // and held a request it had not printed yet), and the survivor ran it
        var resent = coordinator.Lines.Where(l => l.Contains($"role rollout: {victimAddress} is ", StringComparison.Ordinal))
            .SelectMany(l => Regex.Matches(l, @"batch (\d+) part (\d+)")).Select(m => (Batch: int.Parse(m.Groups[1].Value), Part: int.Parse(m.Groups[2].Value))).ToList();
        Output.WriteLine($"killed the rollout member holding {string.Join(", ", resent.Select(p => $"batch {p.Batch} part {p.Part}"))}");
        Assert.NotEmpty(resent);
        var survivorParts = Parts(survivor);
        Assert.All(resent, p => Assert.Contains(p, survivorParts));
        var clustered = Metrics("clustered");
        AssertEveryBatchOnce(clustered, iterations);
        Assert.All(clustered["retries"], r => Assert.Equal(0, r));                        // re-sent by the dispatcher, not re-asked
        AssertSameRun(Metrics("single"), clustered, iterations);
        var work = Work();
        Assert.True(work.GetProperty("Redispatched").GetInt64() >= 1);
        Assert.Equal(0, work.GetProperty("Lost").GetInt64());
        Assert.Equal(0, work.GetProperty("Duplicated").GetInt64());
        // downed by the split-brain resolver and removed
        await coordinator.WaitForLineAsync(l => l.StartsWith("MemberRemoved: " + victimAddress, StringComparison.Ordinal), TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task The_coordinators_member_killed_must_move_the_singleton_and_finish_the_run_as_if_uninterrupted()
    {
        const int iterations = 10;
        await PrepareAsync(TinyConfig($"iterations = {iterations}, {SlowPpo}", SlowModel) + "\nakka-rlhf.checkpoint { every = 2, keep-last = 2 }");
        var first = await StartSeedAsync();
        var second = await StartMemberAsync("learner-2", "learner");
        await StartMemberAsync("rollout", "rollout");
        await StartMemberAsync("scorers", "reward,reference,critic");
        var watcher = await StartCliAsync("watcher", _dir, "node ", "node", "--config", "cluster.conf", "--roles", "watcher", "--follow", "--port", "0");
        await ReachedAsync(5, first);                                                       // checkpoints at 2 and 4 are on disk
        first.Kill();
        var clock = Stopwatch.StartNew();
        var killedAt = Step(first);
        Assert.True(killedAt < iterations, "the run ended before its coordinator could be killed");

        await second.WaitForLineAsync(l => l.StartsWith("ppo: coordinator up", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
        var moved = clock.Elapsed;
        Output.WriteLine($"coordinator killed after iteration {killedAt}; the singleton ran again on learner-2 {moved.TotalSeconds:0.0} s later");
        Assert.True(moved < TimeSpan.FromSeconds(30), $"the singleton took {moved.TotalSeconds:0.0} s to move");
        await second.WaitForLineAsync(l => l.StartsWith("ppo run finished", StringComparison.Ordinal), RunTimeout);
        Assert.Contains(second.Lines, l => l.Contains("resuming after iteration", StringComparison.Ordinal));

        var clustered = Metrics("clustered");
        AssertSameRun(Metrics("single"), clustered, iterations);
        Assert.Equal(Enumerable.Range(1, iterations).Select(i => (double)i), clustered["batch_id"]);

        // a member following the run saw it from its first step, followed the moved coordinator to the end, and left
        Assert.Equal(0, await watcher.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains(watcher.Lines, l => l.StartsWith($"ppo: step 1/{iterations} ", StringComparison.Ordinal));
        Assert.Equal(2, watcher.Lines.Count(l => l.StartsWith($"ppo: started, {iterations} steps", StringComparison.Ordinal)));   // one per coordinator
        Assert.Contains(watcher.Lines, l => l.StartsWith($"ppo: step {iterations}/{iterations} ", StringComparison.Ordinal));
        Assert.Contains(watcher.Lines, l => l.StartsWith("ppo run finished", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_member_joining_mid_run_must_take_batches_and_a_graceful_leave_must_lose_nothing()
    {
        const int iterations = 30;
        await PrepareAsync(TinyConfig($"iterations = {iterations}, {SlowPpo}", SlowModel));
        var coordinator = await StartSeedAsync();
        var first = await StartMemberAsync("rollout-1", "rollout");
        await StartMemberAsync("scorers", "reward,reference,critic");
        await ReachedAsync(2, coordinator);
        var joiner = await StartMemberAsync("rollout-2", "rollout");
        await Eventually.Holds(() => Parts(joiner).Count > 0, RunTimeout, () => "the new member took no part");
        var leftAt = Step(coordinator);
        Assert.True(leftAt < iterations - 2, "the run was nearly over when the second member joined");
        var before = Parts(first).Count;                                                    // SIGTERM (a graceful leave) while it holds a part
        await Eventually.Holds(() => Parts(first).Count > before, RunTimeout, () => "rollout-1 took no new part");
        await first.StopAsync();
        var held = Parts(first).Last();
        Output.WriteLine($"rollout-1 left after iteration {leftAt}, holding batch {held.Batch} part {held.Part}");

        await coordinator.WaitForLineAsync(l => l.StartsWith("ppo run finished", StringComparison.Ordinal), RunTimeout);
        var late = Parts(joiner);
        Assert.True(late.Min(p => p.Batch) > 2, "the new member took a batch from before it joined");
        Assert.Contains(joiner.Lines, l => l.StartsWith("policy v", StringComparison.Ordinal));          // the current weights on joining
        var clustered = Metrics("clustered");
        AssertEveryBatchOnce(clustered, iterations);
        AssertSameRun(Metrics("single"), clustered, iterations);
        var work = Work();
        Assert.Equal(0, work.GetProperty("Lost").GetInt64());
        Assert.Equal(0, work.GetProperty("Duplicated").GetInt64());
    }
}
