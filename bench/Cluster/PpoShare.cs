using AkkaRlhf.Hosting.Reporting;
using AkkaRlhf.Tests.Shared;

namespace AkkaRlhf.Bench.Cluster;

/// <summary>
/// The share of a 3-member PPO iteration spent in messaging and serialization, from the coordinator's own timings in
/// report.json: its phases (t_generate + t_score + t_learn + t_sync of each iteration) and, of those, t_messaging (per phase,
/// the most any request to another member spent beyond that member's own time, summed) and t_weight_wait. The same run (config, seed, one torch
/// thread per role, one generator) in one process and over three member processes on loopback (<c>train ppo</c> as the
/// learner member, a rollout member, a reward + reference + critic member), with the weights streamed and by reference,
/// alternated. The runs' metric streams must be identical, so all did the same work; what a cluster adds is the remote
/// requests (serialization, TCP, dispatch), the weight transfer, and three runtimes sharing the cores instead of one.
/// </summary>
internal static class PpoShare
{
    public static readonly string[] Phases = ["t_generate", "t_score", "t_learn", "t_sync"];

    /// <summary>What a clustered coordinator reports of its phases' remote requests (Trainer: round trips minus the members' own times).</summary>
    public static readonly string[] Remote = ["t_messaging", "t_weight_wait"];

    /// <summary>Per iteration: t_messaging / the iteration (its phases' sum).</summary>
    public const string MessagingShare = "messaging share";

    /// <summary>Median ms per phase and per iteration of each way of running (<see cref="Ways"/>), and whether all computed the same.</summary>
    public sealed record Result(IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> Ms, bool Identical, int Iterations, int WarmUp)
    {
        /// <summary>The median of the iterations' t_messaging / iteration, for the 3-member way <paramref name="way"/>.</summary>
        public double Messaging(string way) => Ms[way][MessagingShare];

        /// <summary>(3 members - one process) / 3 members, for the 3-member way <paramref name="way"/>.</summary>
        public double Share(string way) => (Ms[way]["iteration"] - Ms[Single]["iteration"]) / Ms[way]["iteration"];
    }

    public const string Single = "one process", Streamed = "3 members, weights streamed", ByReference = "3 members, weights by reference";

    /// <summary>The ways the same run is run, each with its configuration file (written by <see cref="MeasureAsync"/>).</summary>
    public static readonly (string Name, string Config)[] Ways = [(Single, "single.conf"), (Streamed, "streamed.conf"), (ByReference, "reference.conf")];

    /// <summary>A model and PPO block (HOCON bodies of <c>akka-rlhf.model</c> and <c>akka-rlhf.ppo</c>).</summary>
    public sealed record Workload(string Name, string Model, string Ppo);

    /// <summary>The demo's model size (2 x 64) with twice its prompts: iterations of tens of ms, where fixed costs show most.</summary>
    public static readonly Workload Small = new("small (the demo's model)", "n-layer = 2, n-head = 2, n-embd = 64, block-size = 48",
        "prompts-per-iteration = 128, mode = sync, generator { pool-size = 1, max-new-tokens = 24 }, " +
        "learner { epochs = 1, minibatch-size = 64 }, critic { epochs = 1, minibatch-size = 64 }");

    /// <summary>A mid-size model (4 x 256, 3.2M parameters) and batch: iterations of about a second on two cores.</summary>
    public static readonly Workload Medium = new("medium", "n-layer = 4, n-head = 4, n-embd = 256, block-size = 64",
        "prompts-per-iteration = 256, mode = sync, generator { pool-size = 1, max-new-tokens = 32 }, " +
        "learner { epochs = 1, minibatch-size = 64 }, critic { epochs = 1, minibatch-size = 64 }");

    /// <summary>Runs each way <paramref name="rounds"/> times, alternated, <paramref name="iterations"/> PPO iterations each,
    /// and takes the medians over all but each run's first <paramref name="warmUp"/> iterations (0 <= warmUp < iterations).</summary>
    public static async Task<Result> MeasureAsync(string dir, Workload workload, int iterations, int warmUp, int rounds)
    {
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "single.conf"), TinyCliConfig.Hocon(                    // the specs' data files and seed
            $"torch-threads = 1\nsft {{ steps = 20, batch-size = 16 }}\nrm {{ steps = 10, batch-size = 16 }}\nppo {{ iterations = {iterations}, {workload.Ppo} }}",
            workload.Model));
        var seedPort = Members.FreePort();
        foreach (var (file, sharedDir) in new[] { ("streamed.conf", ""), ("reference.conf", "weights") })
            File.WriteAllText(Path.Combine(dir, file), $$"""
                include "single.conf"
                akka.cluster.seed-nodes = ["akka.tcp://akka-rlhf@127.0.0.1:{{seedPort}}"]
                akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = 0 }
                akka-rlhf.cluster.weights.shared-dir = "{{sharedDir}}"
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

        var ms = Ways.ToDictionary(w => w.Name, _ => Phases.Concat(Remote).Append("iteration").Append(MessagingShare).ToDictionary(p => p, _ => new List<double>()));
        var identical = true;
        for (var round = 1; round <= rounds; round++)
            foreach (var (way, config) in Ways)
            {
                var outDir = $"{config[..config.IndexOf('.')]}-{round}";
                var args = new[] { "train", "ppo", "--config", config, "--sft", "sft/model", "--rm", "rm/model", "--out", outDir };
                if (way == Single) await CliAsync(dir, args);
                else
                {
                    using var coordinator = Child.Start("train ppo (learner member)", "akka-rlhf.dll", dir, [.. args, "--set", $"akka.remote.dot-netty.tcp.port={seedPort}"]);
                    using var rollout = Member(dir, config, "rollout", outDir);
                    using var scorers = Member(dir, config, "reward,reference,critic", outDir);
                    await coordinator.ExitedAsync(TimeSpan.FromMinutes(10));
                }
                var series = Series(dir, outDir);
                var baseline = Series(dir, $"single-{round}");
                identical &= baseline.Keys.Where(k => !k.StartsWith("t_", StringComparison.Ordinal)).All(k => series[k].SequenceEqual(baseline[k]));
                var timed = Enumerable.Range(0, iterations).Skip(warmUp).ToList();
                foreach (var p in Phases) ms[way][p].AddRange(timed.Select(i => series[p][i] * 1000));
                ms[way]["iteration"].AddRange(timed.Select(i => Phases.Sum(p => series[p][i]) * 1000));
                if (way == Single) continue;
                foreach (var p in Remote) ms[way][p].AddRange(timed.Select(i => series[p][i] * 1000));
                ms[way][MessagingShare].AddRange(timed.Select(i => series["t_messaging"][i] / Phases.Sum(p => series[p][i])));
            }
        return new Result(ms.ToDictionary(w => w.Key, w => (IReadOnlyDictionary<string, double>)w.Value.Where(p => p.Value.Count > 0)
            .ToDictionary(p => p.Key, p => WeightSync.Median(p.Value))),
            identical, iterations, warmUp);
    }

    private static Child Member(string dir, string config, string roles, string runDir) => Child.Start(roles, "akka-rlhf.dll", dir, "node",
        "--config", config, "--roles", roles, "--sft", "sft/model", "--rm", "rm/model", "--run", runDir);

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
