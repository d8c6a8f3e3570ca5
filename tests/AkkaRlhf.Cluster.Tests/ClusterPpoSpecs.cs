using AkkaRlhf.Tests.Shared;
using AkkaRlhf.Cluster.Tests.Support;
using AkkaRlhf.Hosting.Reporting;
using Xunit.Abstractions;

namespace AkkaRlhf.Cluster.Tests;

/// <summary>
/// A PPO run across processes with the real RLHF roles: the coordinator is <c>akka-rlhf train ppo</c> with the roles'
/// <c>cluster.enabled = on</c> (it hosts the learner), the members are <c>akka-rlhf node --roles ...</c> serving the
/// rollout, reward, reference and critic roles from the same SFT and reward-model checkpoints. Each run is compared
/// with the single-process <c>train ppo</c> of the same config and seed through the metric streams in report.json.
/// </summary>
public sealed class ClusterPpoSpecs(ITestOutputHelper output) : ClusterSpec(output), IDisposable
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(4);
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "akka-rlhf-cluster-ppo-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    /// <summary>The tiny CLI configuration with a reward model and <paramref name="ppo"/> as the body of <c>akka-rlhf.ppo</c>.</summary>
    private static string TinyConfig(string ppo, string model = TinyCliConfig.Model) =>
        TinyCliConfig.Hocon($"rm {{ steps = 4, batch-size = 8 }}\nppo {{ {ppo} }}", model);

    /// <summary>
    /// Writes the synthetic data, <c>single.conf</c> (<paramref name="config"/>) and <c>cluster.conf</c> (the same, with
    /// the four roles served by cluster nodes of this spec's broker), and trains the SFT and reward-model checkpoints.
    /// </summary>
    private async Task PrepareAsync(string config)
    {
        Directory.CreateDirectory(_dir);
        File.WriteAllText(Path.Combine(_dir, "single.conf"), config);
        File.WriteAllText(Path.Combine(_dir, "cluster.conf"), $$"""
            include "single.conf"
            akka.cluster {
              broker { host = "127.0.0.1", port = {{Broker.Port}} }
              heartbeat-interval = 250ms
              unreachable-after = 1500ms
              removed-after = 3s
              reconnect { min-backoff = 100ms, max-backoff = 1s }
            }
            akka-rlhf.ppo {
              generator.cluster.enabled = on
              reference.cluster.enabled = on
              reward.cluster.enabled = on
              critic.cluster.enabled = on
            }
            """);
        await RunCliAsync("demo", "--write-data", "data");
        await RunCliAsync("train", "sft", "--config", "single.conf", "--out", "sft");
        await RunCliAsync("train", "rm", "--config", "single.conf", "--sft", "sft/model", "--out", "rm");
    }

    private async Task<NodeProcess> RunCliAsync(params string[] args)
    {
        var cli = await StartCliAsync(string.Join(' ', args.Take(2)), _dir, null, args);
        Assert.True(await cli.WaitForExitAsync(RunTimeout) == 0, $"akka-rlhf {string.Join(' ', args)} failed:\n{string.Join('\n', cli.Lines.TakeLast(30))}");
        return cli;
    }

    /// <summary>A member serving <paramref name="roles"/>, started and joined.</summary>
    private Task<NodeProcess> StartNodeAsync(string hostname, string roles) => StartCliAsync(hostname, _dir, "node ",
        "node", "--config", "cluster.conf", "--roles", roles, "--sft", "sft/model", "--rm", "rm/model", "--set", $"akka.cluster.hostname={hostname}");

    /// <summary>The coordinator: <c>train ppo</c> on <c>cluster.conf</c> into <paramref name="outDir"/> (not awaited).</summary>
    private Task<NodeProcess> StartCoordinatorAsync(string outDir) => StartCliAsync("coordinator", _dir, null,
        "train", "ppo", "--config", "cluster.conf", "--sft", "sft/model", "--rm", "rm/model", "--out", outDir);

    /// <summary>The PPO metric streams of a finished run (timings t_* aside), by metric name.</summary>
    private Dictionary<string, double[]> Metrics(string outDir) =>
        ReportReader.Read(Path.Combine(_dir, outDir, "report.json")).Series
            .Where(s => s.Stage == "ppo" && !s.Name.StartsWith("t_", StringComparison.Ordinal))
            .ToDictionary(s => s.Name, s => s.Points.OrderBy(p => p.Step).Select(p => p.Value).ToArray());

    /// <summary>
    /// Asserts the clustered run's metric streams equal the single-process run's (the same seed; noise-level tolerance),
    /// the counters in <paramref name="except"/> aside.
    /// </summary>
    private void AssertSameRun(Dictionary<string, double[]> single, Dictionary<string, double[]> clustered, int iterations, params string[] except)
    {
        Assert.Equal(single.Keys.Order(), clustered.Keys.Order());
        var identical = 0;
        foreach (var (name, values) in single.Where(m => !except.Contains(m.Key)))
        {
            Assert.Equal(iterations, values.Length);
            Assert.Equal(iterations, clustered[name].Length);
            for (var i = 0; i < iterations; i++)
            {
                var (a, b) = (values[i], clustered[name][i]);
                Assert.True(Math.Abs(a - b) <= 1e-5 * Math.Max(1, Math.Abs(a)), $"iteration {i + 1} {name}: single {a:R}, clustered {b:R}");
                if (a.Equals(b)) identical++;
            }
        }
        Output.WriteLine($"{identical} of {single.Values.Sum(v => v.Length)} metric values bit-identical to the single-process run");
    }

    /// <summary>The learner's accounting: it trained on prompt batches 1..N, each once, in order, and nothing was dropped or regenerated.</summary>
    private static void AssertEveryBatchOnce(Dictionary<string, double[]> metrics, int iterations)
    {
        Assert.Equal(Enumerable.Range(1, iterations).Select(i => (double)i), metrics["batch_id"]);
        Assert.Equal(Enumerable.Range(1, iterations).Select(i => (double)i), metrics["policy_version"]);
        Assert.All(metrics["dropped_batches"], d => Assert.Equal(0, d));
    }

    /// <summary>The last PPO iteration the coordinator reported (its progress lines are throttled, so not every step is printed).</summary>
    private static int Step(NodeProcess coordinator) =>
        coordinator.Lines.Where(l => l.StartsWith("ppo: step ", StringComparison.Ordinal))
            .Select(l => int.Parse(l["ppo: step ".Length..l.IndexOf('/')])).DefaultIfEmpty().Max();

    /// <summary>Waits until the coordinator has reported iteration <paramref name="step"/> or a later one.</summary>
    private static Task ReachedAsync(NodeProcess coordinator, int step) =>
        Eventually.Holds(() => Step(coordinator) >= step, RunTimeout, () => $"the coordinator did not reach step {step}:\n{string.Join('\n', coordinator.Lines.TakeLast(20))}");

    /// <summary>PPO settings whose iterations take about a second on two cores (a run still going when a test acts on it).</summary>
    private const string SlowPpo = "prompts-per-iteration = 256, mode = sync, generator { pool-size = 2, max-new-tokens = 24 }" +
        ", learner { epochs = 1, minibatch-size = 128 }, critic { epochs = 1, minibatch-size = 128 }";

    private const string SlowModel = "n-layer = 2, n-head = 2, n-embd = 64, block-size = 48";

    /// <summary>The (batch, part) pairs a rollout node printed, in order.</summary>
    private static List<(int Batch, int Part)> Parts(NodeProcess node) =>
        [.. node.Lines.Select(l => l.Split(' ')).Where(w => w.Length > 4 && w[0] == "rollout:" && w[1] == "batch" && w[3] == "part")
            .Select(w => (int.Parse(w[2]), int.Parse(w[4])))];

    [RabbitMqFact]
    public async Task A_ppo_run_over_a_coordinator_two_rollout_nodes_and_a_scorer_node_must_match_the_single_node_run_on_the_same_seed()
    {
        const int iterations = 8;
        await PrepareAsync(TinyConfig($"iterations = {iterations}, prompts-per-iteration = 32, mode = sync, generator {{ pool-size = 2, max-new-tokens = 6 }}"));
        await RunCliAsync("train", "ppo", "--config", "single.conf", "--sft", "sft/model", "--rm", "rm/model", "--out", "single");

        var rollouts = new[] { await StartNodeAsync("rollout-1", "rollout"), await StartNodeAsync("rollout-2", "rollout") };
        var scorers = await StartNodeAsync("scorers", "reward,reference,critic");
        var coordinator = await StartCoordinatorAsync("clustered");
        Assert.Equal(0, await coordinator.WaitForExitAsync(RunTimeout));

        var (single, clustered) = (Metrics("single"), Metrics("clustered"));
        AssertSameRun(single, clustered, iterations);
        AssertEveryBatchOnce(clustered, iterations);
        // the work went through the other processes: every part of every batch on one of the rollout nodes (the role queue
        // shares them out: each node took some, none was generated twice), all scoring on the scorers node
        Assert.Equal(Enumerable.Range(1, iterations).SelectMany(b => new[] { (b, 0), (b, 1) }).Order(), rollouts.SelectMany(Parts).Order());
        Assert.All(rollouts, r => Assert.NotEmpty(Parts(r)));
        foreach (var served in new[] { "reward: ScoreRewards", "reference: ScoreReference", "critic: ComputeValues", "critic: TrainCritic" })
            Assert.Equal(iterations, scorers.Lines.Count(l => l.StartsWith(served + " batch", StringComparison.Ordinal)));
        // every rollout node got every policy version used for generation (the weight broadcast goes to each node of the role)
        foreach (var r in rollouts)
            for (var v = 1; v < iterations; v++)
                Assert.Contains(r.Lines, l => l.StartsWith($"policy v{v} applied", StringComparison.Ordinal));
    }

    [RabbitMqFact]
    public async Task Policy_weights_sent_by_reference_through_shared_storage_must_give_the_single_node_run()
    {
        const int iterations = 4;
        await PrepareAsync(TinyConfig($"iterations = {iterations}, prompts-per-iteration = 32, mode = sync, generator {{ pool-size = 2, max-new-tokens = 6 }}"));
        File.AppendAllText(Path.Combine(_dir, "cluster.conf"), "\nakka.cluster.weights.shared-dir = \"shared\"\n");
        await RunCliAsync("train", "ppo", "--config", "single.conf", "--sft", "sft/model", "--rm", "rm/model", "--out", "single");

        var rollout = await StartNodeAsync("rollout-1", "rollout");
        await StartNodeAsync("scorers", "reward,reference,critic");
        var coordinator = await StartCoordinatorAsync("clustered");
        Assert.Equal(0, await coordinator.WaitForExitAsync(RunTimeout));

        AssertSameRun(Metrics("single"), Metrics("clustered"), iterations);
        Assert.Contains(rollout.Lines, l => l.StartsWith($"policy v{iterations - 1} applied", StringComparison.Ordinal));
        // the weights went as files in the shared directory (only the newest two versions kept), whole (no temporary left)
        var versions = Directory.GetFiles(Path.Combine(_dir, "shared"))
            .Select(f => Path.GetFileName(f)).Select(f => f.EndsWith(".safetensors", StringComparison.Ordinal) ? long.Parse(f[(f.LastIndexOf("-v", StringComparison.Ordinal) + 2)..^".safetensors".Length]) : -1)
            .Order().ToList();
        Assert.Equal(2, versions.Count);
        Assert.Equal(versions[0] + 1, versions[1]);
        Assert.True(versions[1] >= iterations - 1, $"newest file v{versions[1]}");
    }

    [RabbitMqFact]
    public async Task A_coordinator_without_a_node_for_a_role_and_a_node_without_its_checkpoint_must_fail_with_a_clear_error()
    {
        await PrepareAsync(TinyConfig("iterations = 2, prompts-per-iteration = 32, generator { pool-size = 2, max-new-tokens = 6 }"));
        var bare = await StartCliAsync("bare node", _dir, null, "node", "--config", "cluster.conf", "--roles", "reward");
        Assert.Equal(1, await bare.WaitForExitAsync(RunTimeout));
        Assert.Contains(bare.Lines, l => l.Contains("error: node --roles reward needs --rm DIR (a reward-model checkpoint)", StringComparison.Ordinal));

        await StartNodeAsync("rollout-1", "rollout");
        var coordinator = await StartCliAsync("coordinator", _dir, null, "train", "ppo", "--config", "cluster.conf",
            "--sft", "sft/model", "--rm", "rm/model", "--out", "clustered", "--set", "akka-rlhf.ppo.cluster-wait=2s");
        Assert.Equal(1, await coordinator.WaitForExitAsync(RunTimeout));
        Assert.Contains(coordinator.Lines, l => l.Contains("no cluster node with the role(s) reference, reward, critic joined within 2 s", StringComparison.Ordinal));
    }

    [RabbitMqFact]
    public async Task A_rollout_node_killed_mid_batch_must_not_lose_or_repeat_a_prompt_batch_and_must_be_removed()
    {
        const int iterations = 10;                                                        // <= 10: every step gets a progress line
        await PrepareAsync(TinyConfig($"iterations = {iterations}, {SlowPpo}", SlowModel));
        await RunCliAsync("train", "ppo", "--config", "single.conf", "--sft", "sft/model", "--rm", "rm/model", "--out", "single");

        var victim = await StartNodeAsync("rollout-victim", "rollout");
        var survivor = await StartNodeAsync("rollout-survivor", "rollout");
        await StartNodeAsync("scorers", "reward,reference,critic");
        var coordinator = await StartCoordinatorAsync("clustered");
        await ReachedAsync(coordinator, 3);

        // Freeze the victim: the broker still delivers it a part of the next batch (it sits unacknowledged in the frozen
        // process), so the run waits for that part; then kill -9 it with the part in hand. Frozen in the instant between
        // a reply and its ack, it would hold no new part and the survivor would go on alone: then thaw it and try again.
        var stalled = 0;
        for (var attempt = 1; stalled == 0; attempt++)
        {
            victim.Signal(NodeProcess.SigStop);
            var frozenAt = Step(coordinator);
            var (step, served) = (-1, -1);
            var quiet = System.Diagnostics.Stopwatch.StartNew();
            while (quiet.Elapsed < TimeSpan.FromSeconds(2) && Step(coordinator) < frozenAt + 2)   // until nothing moves for 2 s
            {
                await Task.Delay(100);
                if ((Step(coordinator), Parts(survivor).Count) == (step, served)) continue;
                (step, served) = (Step(coordinator), Parts(survivor).Count);
                quiet.Restart();
            }
            if (Step(coordinator) < frozenAt + 2) stalled = Step(coordinator) + 1;
            else
            {
                Assert.True(attempt < 3 && Step(coordinator) < iterations - 2, "the run never waited for the frozen node");
                Output.WriteLine($"attempt {attempt}: the frozen node held no part; thawed, freezing again");
                victim.Signal(NodeProcess.SigCont);
                await Task.Delay(300);
            }
        }
        Assert.True(stalled <= iterations, "the run ended before the victim was frozen");
        var before = Parts(survivor);
        Assert.Contains(before, p => p.Batch == stalled);                                 // the survivor did its part; the frozen node holds the other
        victim.Kill();
        Output.WriteLine($"killed the frozen rollout node holding a part of batch {stalled}");

        Assert.Equal(0, await coordinator.WaitForExitAsync(RunTimeout));
        var redelivered = Parts(survivor).Skip(before.Count).First();                      // the killed node's part came back to the survivor
        Assert.Equal(stalled, redelivered.Batch);
        Assert.DoesNotContain(redelivered, before);
        var clustered = Metrics("clustered");
        AssertEveryBatchOnce(clustered, iterations);
        Assert.All(clustered["retries"], r => Assert.Equal(0, r));                        // redelivered by the broker, not re-asked
        AssertSameRun(Metrics("single"), clustered, iterations);
        await survivor.WaitForLineAsync(l => l.Contains("MemberRemoved: Member(akka.amqp://rlhf@rollout-victim", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
    }

    [RabbitMqFact]
    public async Task A_broker_restart_mid_run_must_be_survived_by_every_node_and_the_run_must_complete_unchanged()
    {
        const int iterations = 12;
        // a lost transient weight broadcast is re-sent when the ask for rollouts times out: keep that short here
        await PrepareAsync(TinyConfig($"iterations = {iterations}, {SlowPpo}, retry {{ attempts = 5, timeout = 10s }}", SlowModel));
        await RunCliAsync("train", "ppo", "--config", "single.conf", "--sft", "sft/model", "--rm", "rm/model", "--out", "single");

        var rollout = await StartNodeAsync("rollout-1", "rollout");
        var scorers = await StartNodeAsync("scorers", "reward,reference,critic");
        var coordinator = await StartCoordinatorAsync("clustered");
        await ReachedAsync(coordinator, 3);
        await Broker.RestartAsync();                                                        // SIGKILL of the broker, started again on its data
        var restartedAt = Step(coordinator);
        Output.WriteLine($"broker restarted at iteration {restartedAt}");
        Assert.True(restartedAt < iterations, "the run ended before the broker was back");

        Assert.Equal(0, await coordinator.WaitForExitAsync(RunTimeout));
        var clustered = Metrics("clustered");
        Assert.Equal(Enumerable.Range(1, iterations).Select(i => (double)i), clustered["batch_id"]);
        AssertSameRun(Metrics("single"), clustered, iterations, except: "retries");
        foreach (var node in new[] { rollout, scorers })                                // each lost its connection and connected again
        {
            var lines = node.Lines.ToList();
            var lost = lines.FindIndex(l => l.Contains("Lost the broker connection", StringComparison.Ordinal));
            Assert.True(lost >= 0, $"{node.Hostname} did not notice the broker restart");
            Assert.True(lines.FindLastIndex(l => l.Contains("Connected to the broker", StringComparison.Ordinal)) > lost, $"{node.Hostname} did not reconnect");
        }
        Output.WriteLine($"asks retried: {clustered["retries"].Last()}");
    }

    [RabbitMqFact]
    public async Task A_coordinator_killed_with_sigkill_and_resumed_must_finish_the_clustered_run_as_if_uninterrupted()
    {
        const int iterations = 10;
        await PrepareAsync(TinyConfig($"iterations = {iterations}, {SlowPpo}", SlowModel) + "\nakka-rlhf.checkpoint { every = 2, keep-last = 2 }");
        await RunCliAsync("train", "ppo", "--config", "single.conf", "--sft", "sft/model", "--rm", "rm/model", "--out", "single");
        await StartNodeAsync("rollout-1", "rollout");
        await StartNodeAsync("scorers", "reward,reference,critic");

        var coordinator = await StartCoordinatorAsync("clustered");
        await ReachedAsync(coordinator, 5);                                                 // checkpoints at 2 and 4 are on disk
        coordinator.Kill();
        var killedAt = Step(coordinator);
        Assert.True(killedAt < iterations, "the run ended before it could be killed");
        Output.WriteLine($"coordinator killed after iteration {killedAt}; the nodes keep serving");

        // the critic on the scorers node has trained past the checkpoint; restored, it must train those batches again
        var resumed = await RunCliAsync("train", "ppo", "--resume", "clustered");
        Assert.Contains(resumed.Lines, l => l.Contains("resuming after iteration", StringComparison.Ordinal));
        var (single, clustered) = (Metrics("single"), Metrics("clustered"));
        Assert.Equal(single["value_loss"][^1], clustered["value_loss"][^1], 5);
        Assert.Equal(single["reward"][^1], clustered["reward"][^1], 5);
        Assert.Equal(iterations, clustered["batch_id"][^1]);
    }

    [RabbitMqFact]
    public async Task A_rollout_node_joining_mid_run_must_start_taking_batches()
    {
        const int iterations = 14;
        // a model large enough that an iteration takes a while, so that the run is still going when the new node is up
        await PrepareAsync(TinyConfig($"iterations = {iterations}, {SlowPpo}", SlowModel));

        var first = await StartNodeAsync("rollout-1", "rollout");
        await StartNodeAsync("scorers", "reward,reference,critic");
        var coordinator = await StartCoordinatorAsync("clustered");
        await ReachedAsync(coordinator, 2);
        var joiner = await StartNodeAsync("rollout-2", "rollout");

        Assert.Equal(0, await coordinator.WaitForExitAsync(RunTimeout));
        var late = Parts(joiner);
        Output.WriteLine($"the late node served {late.Count} parts: {string.Join(", ", late)}");
        Assert.NotEmpty(late);
        Assert.Contains(joiner.Lines, l => l.StartsWith("policy v", StringComparison.Ordinal));   // it got the current weights on joining
        Assert.True(late.Min(p => p.Batch) > 2, "the new node took a batch from before it joined");
        // every part of every batch served exactly once across the two nodes, and the learner trained on each batch once
        Assert.Equal(Enumerable.Range(1, iterations).SelectMany(b => new[] { (b, 0), (b, 1) }).Order(), Parts(first).Concat(late).Order());
        AssertEveryBatchOnce(Metrics("clustered"), iterations);
    }
}
