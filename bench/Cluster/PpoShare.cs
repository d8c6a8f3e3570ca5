using AkkaRlhf.Hosting.Reporting;

namespace AkkaRlhf.Bench.Cluster;

/// <summary>
/// The share of a 3-member PPO iteration spent in messaging and serialization, from the coordinator's own timings
/// (t_generate + t_score + t_learn + t_sync of each iteration, in report.json): the same run (config, seed, one torch
/// thread per role, one generator) as one process and over three member processes on loopback (<c>train ppo</c> as the
/// learner member, a rollout member, a reward + reference + critic member; weights streamed), alternated. The runs'
/// metric streams must be identical, so the two did the same work; what the cluster adds is the remote requests
/// (serialization, TCP, dispatch) and the weight transfer.
/// </summary>
internal static class PpoShare
{
    private static readonly string[] Phases = ["t_generate", "t_score", "t_learn", "t_sync"];
    private const int WarmUp = 2;

    public sealed record Result(double SingleMs, double ClusterMs, IReadOnlyDictionary<string, (double Single, double Cluster)> PhasesMs, bool Identical, int Iterations)
    {
        public double Share => (ClusterMs - SingleMs) / ClusterMs;
    }

    public const string Model = "n-layer = 2, n-head = 2, n-embd = 64, block-size = 48";
    public const string Ppo = "prompts-per-iteration = 128, mode = sync, generator { pool-size = 1, max-new-tokens = 24 }, " +
        "learner { epochs = 1, minibatch-size = 64 }, critic { epochs = 1, minibatch-size = 64 }";

    public static async Task<Result> MeasureAsync(string dir, int iterations, int rounds)
    {
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "single.conf"), $$"""
            akka-rlhf {
              seed = 11
              torch-threads = 1
              model { {{Model}} }
              data {
                vocab = "data/vocab.txt"
                sft = "data/sft_train.jsonl"
                prompts = "data/prompts_train.jsonl"
                preferences = "data/prefs_train.jsonl"
                preferences-eval = "data/prefs_eval.jsonl"
              }
              sft { steps = 20, batch-size = 16 }
              rm { steps = 10, batch-size = 16 }
              ppo { iterations = {{iterations}}, {{Ppo}} }
            }
            """);
        var seedPort = Members.FreePort();
        File.WriteAllText(Path.Combine(dir, "cluster.conf"), $$"""
            include "single.conf"
            akka.cluster.seed-nodes = ["akka.tcp://akka-rlhf@127.0.0.1:{{seedPort}}"]
            akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = 0 }
            akka-rlhf.ppo {
              generator.cluster.enabled = on
              reference.cluster.enabled = on
              reward.cluster.enabled = on
              critic.cluster.enabled = on
            }
            """);
        await CliAsync(dir, "demo", "--write-data", "data");
        await CliAsync(dir, "train", "sft", "--config", "single.conf", "--out", "sft");
        await CliAsync(dir, "train", "rm", "--config", "single.conf", "--sft", "sft/model", "--out", "rm");

        var single = new List<double>();
        var clustered = new List<double>();
        var phases = Phases.ToDictionary(p => p, _ => (Single: new List<double>(), Cluster: new List<double>()));
        var identical = true;
        for (var round = 1; round <= rounds; round++)
        {
            await CliAsync(dir, "train", "ppo", "--config", "single.conf", "--sft", "sft/model", "--rm", "rm/model", "--out", $"single-{round}");
            using (var coordinator = Child.Start("train ppo (learner member)", "akka-rlhf.dll", dir, "train", "ppo", "--config", "cluster.conf",
                       "--sft", "sft/model", "--rm", "rm/model", "--out", $"cluster-{round}", "--set", $"akka.remote.dot-netty.tcp.port={seedPort}"))
            using (Member(dir, "rollout", round))
            using (Member(dir, "reward,reference,critic", round))
                await coordinator.ExitedAsync(TimeSpan.FromMinutes(10));

            var (s, c) = (Series(dir, $"single-{round}"), Series(dir, $"cluster-{round}"));
            identical &= s.Keys.Where(k => !k.StartsWith("t_", StringComparison.Ordinal))
                .All(k => c.TryGetValue(k, out var other) && s[k].SequenceEqual(other));
            single.AddRange(IterationMs(s));
            clustered.AddRange(IterationMs(c));
            foreach (var p in Phases)
            {
                phases[p].Single.AddRange(s[p].Skip(WarmUp).Select(v => v * 1000));
                phases[p].Cluster.AddRange(c[p].Skip(WarmUp).Select(v => v * 1000));
            }
        }
        return new Result(WeightSync.Median(single), WeightSync.Median(clustered),
            phases.ToDictionary(p => p.Key, p => (WeightSync.Median(p.Value.Single), WeightSync.Median(p.Value.Cluster))), identical, iterations);
    }

    private static Child Member(string dir, string roles, int round) => Child.Start(roles, "akka-rlhf.dll", dir, "node", "--config", "cluster.conf",
        "--roles", roles, "--sft", "sft/model", "--rm", "rm/model", "--run", $"cluster-{round}");

    /// <summary>The coordinator's time per iteration (ms), the warm-up iterations left out.</summary>
    private static IEnumerable<double> IterationMs(Dictionary<string, double[]> series) =>
        Enumerable.Range(0, series["t_generate"].Length).Skip(WarmUp).Select(i => Phases.Sum(p => series[p][i]) * 1000);

    /// <summary>The PPO metric streams of the run in <paramref name="outDir"/>, by name, in iteration order.</summary>
    private static Dictionary<string, double[]> Series(string dir, string outDir) =>
        ReportReader.Read(Path.Combine(dir, outDir, "report.json")).Series.Where(s => s.Stage == "ppo")
            .ToDictionary(s => s.Name, s => s.Points.OrderBy(p => p.Step).Select(p => p.Value).ToArray());

    private static async Task CliAsync(string dir, params string[] args)
    {
        using var cli = Child.Start(string.Join(' ', args.Take(2)), "akka-rlhf.dll", dir, args);
        await cli.ExitedAsync(TimeSpan.FromMinutes(10));
    }
}
