using System.Globalization;
using AkkaRlhf.Bench.Cluster;
using Akka.Actor;
using RlhfConfig = AkkaRlhf.Configuration.Config;

// The cluster bench (issue 17): remote ask vs raw TCP, weight sync by reference and streamed, messaging share of a 3-member
// PPO iteration. Every side runs in the same invocation, side by side. Run (repository root):
//   source scripts/torch-env.sh; dotnet bench/Cluster/bin/Release/net10.0/AkkaRlhf.Bench.Cluster.dll [ask] [weights] [ppo | ppo-small | ppo-medium]
//     [--iterations N] [--warm-up K]   (PPO sections: iterations per run, 12 by default, of which the first K, 2 by default, are not timed)
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
switch (args)
{
    case ["--echo", var seed]:
        await RemoteAsk.ServeAsync(int.Parse(seed));
        return;
    case ["--weights-member", var seed, var dir]:
        await WeightSync.ServeAsync(int.Parse(seed), dir);
        return;
}
var (iterations, warmUp) = (12, 2);
var sections = new List<string>();
for (var i = 0; i < args.Length; i++)
    switch (args[i])
    {
        case "--iterations" when i + 1 < args.Length: iterations = Count(args[i], args[++i]); break;
        case "--warm-up" when i + 1 < args.Length: warmUp = Count(args[i], args[++i]); break;
        case "ask" or "weights" or "ppo" or "ppo-small" or "ppo-medium": sections.Add(args[i]); break;
        default: throw new ArgumentException($"unknown argument '{args[i]}': expected ask, weights, ppo, ppo-small, ppo-medium, --iterations N, --warm-up K");
    }
if (sections.Count == 0) sections.AddRange(["ask", "weights", "ppo"]);
if (warmUp >= iterations)
    throw new ArgumentException($"--warm-up {warmUp} leaves none of the {iterations} iterations timed: it must be below --iterations");
var work = Path.Combine(Path.GetTempPath(), "akka-rlhf-cluster-bench-" + Guid.NewGuid().ToString("N")[..8]);
Directory.CreateDirectory(work);
Console.WriteLine($"Cluster bench ({Environment.ProcessorCount} cores, .NET {Environment.Version}, Akka.NET {typeof(Akka.Actor.ActorSystem).Assembly.GetName().Version}); " +
    $"every process on 127.0.0.1, the product's configuration (dot-netty TCP, RLHF serializer)");
try
{
    // each section with a cluster of its own: a seed member in this process, the others started for it and killed after
    async Task WithSeed(Func<int, RlhfConfig, ActorSystem, Task> section)
    {
        var seedPort = Members.FreePort();
        var config = Members.Config(seedPort, seedPort, []);
        var system = await Members.StartAsync(config);
        try { await section(seedPort, config, system); }
        finally { await system.Terminate(); }
    }
    if (sections.Contains("ask"))
        await WithSeed(async (seedPort, _, system) =>
        {
            using var echo = Child.Start("echo member", null, work, "--echo", seedPort.ToString());
            var line = (await echo.WaitForLineAsync(l => l.StartsWith("echo ", StringComparison.Ordinal), TimeSpan.FromSeconds(60))).Line.Split(' ');
            var r = await RemoteAsk.MeasureAsync(system, line[1], int.Parse(line[3]), 20_000, RemoteAsk.Message);
            Console.WriteLine();
            Console.WriteLine($"Remote request/reply, 2 processes, {r.Bytes}-byte message (RequestPrompts), 20,000 sequential round trips; throughput with {RemoteAsk.Window} in flight:");
            Console.WriteLine("| | Akka.NET remote (Ask; Tell for throughput) | raw TCP socket ping-pong | ratio |");
            Console.WriteLine("|---|---|---|---|");
            Console.WriteLine($"| p50 round trip (ms) | {r.AkkaP50 / 1000:0.000} | {r.TcpP50 / 1000:0.000} | {r.AkkaP50 / r.TcpP50:0.0}x |");
            Console.WriteLine($"| p99 round trip (ms) | {r.AkkaP99 / 1000:0.000} | {r.TcpP99 / 1000:0.000} | {r.AkkaP99 / r.TcpP99:0.0}x |");
            Console.WriteLine($"| throughput (round trips/s) | {r.AkkaPerSecond:N0} | {r.TcpPerSecond:N0} | {r.AkkaPerSecond / r.TcpPerSecond:0.00}x |");
            async Task Table(string title, IEnumerable<(string Name, object Message)> messages, int roundTrips, TimeSpan idle = default)
            {
                Console.WriteLine();
                Console.WriteLine(title);
                Console.WriteLine("| message | bytes | Akka p50 (ms) | Akka p99 (ms) | TCP p50 (ms) | ratio p50 |");
                Console.WriteLine("|---|---|---|---|---|---|");
                foreach (var (name, message) in messages)
                {
                    var b = await RemoteAsk.MeasureAsync(system, line[1], int.Parse(line[3]), roundTrips, message, idle);
                    Console.WriteLine($"| {name} | {b.Bytes:N0} | {b.AkkaP50 / 1000:0.000} | {b.AkkaP99 / 1000:0.000} | {b.TcpP50 / 1000:0.000} | {b.AkkaP50 / b.TcpP50:0.0}x |");
                }
            }
            await Table("By message size (1,000 sequential round trips each; a WeightsChunk of that many bytes; the batch: a RolloutBatch of 128 x 48 tokens):",
                new[] { 1 << 10, 16 << 10, 60 << 10, 120 << 10, 480 << 10 }
                    .Select(size => ($"{size >> 10} KiB of bytes", (object)new AkkaRlhf.Actors.Messages.WeightsChunk(1, 0, new byte[size])))
                    .Append(("rollout batch", RemoteAsk.Batch())), 1_000);
            await Table("After 20 ms idle (as each request of a PPO phase finds the processes): 150 round trips, each after a 20 ms pause:",
                [("RequestPrompts", RemoteAsk.Message), ("rollout batch", RemoteAsk.Batch())], 150, TimeSpan.FromMilliseconds(20));
        });
    if (sections.Contains("weights"))
        await WithSeed(async (seedPort, config, system) =>
        {
            var shared = Path.Combine(work, "weights");
            Directory.CreateDirectory(shared);
            var members = new List<Child>();
            try
            {
                for (var i = 1; i <= 2; i++)
                {
                    var m = Child.Start($"rollout member {i}", null, work, "--weights-member", seedPort.ToString(), shared);
                    members.Add(m);
                    await m.WaitForLineAsync(l => l.StartsWith("weights member ", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
                }
                var r = await WeightSync.MeasureAsync(system, config, shared, members, repeats: 5);
                Console.WriteLine();
                Console.WriteLine($"Weight sync: {WeightSync.Bytes / 1e6:0} MB of float32 tensors ({r.FileBytes:N0} bytes as safetensors) to 2 members, " +
                    "from the publish call until both applied it (hash verified, tensors built), " +
                    $"5 versions of each, alternated, after {WeightSync.WarmUp} of each:");
                Console.WriteLine("| path | MB/s median | MB/s best | target |");
                Console.WriteLine("|---|---|---|---|");
                Console.WriteLine($"| by reference (shared directory) | {r.ReferenceMedian:0} | {r.ReferenceBest:0} | >= 150 |");
                Console.WriteLine($"| streamed (chunks from the coordinator) | {r.StreamedMedian:0} | {r.StreamedBest:0} | >= 80 |");
            }
            finally { foreach (var m in members) m.Dispose(); }
        });
    foreach (var workload in new[] { PpoShare.Small, PpoShare.Medium })
        if (sections.Contains("ppo") || sections.Contains("ppo-" + workload.Name.Split(' ')[0]))
        {
            var r = await PpoShare.MeasureAsync(Path.Combine(work, "ppo-" + workload.Name.Split(' ')[0]), workload, iterations, warmUp, rounds: 2);
            Console.WriteLine();
            Console.WriteLine($"Messaging share of a 3-member PPO iteration, {workload.Name}: model {{ {workload.Model} }}, ppo {{ {workload.Ppo} }}; " +
                $"one torch thread per role; 2 rounds of each way, alternated, {r.Iterations} iterations each, the first {r.WarmUp} left out. " +
                $"Metric streams identical to the single-process run's: {(r.Identical ? "yes" : "NO")}.");
            Console.WriteLine($"| coordinator's timing, median ms | {string.Join(" | ", PpoShare.Ways.Select(w => w.Name))} |");
            Console.WriteLine($"|---|{string.Concat(PpoShare.Ways.Select(_ => "---|"))}");
            foreach (var phase in PpoShare.Phases.Append("iteration").Concat(PpoShare.Remote))
                Console.WriteLine($"| {phase} | {string.Join(" | ", PpoShare.Ways.Select(w => r.Ms[w.Name].TryGetValue(phase, out var v) ? $"{v:0.0}" : "-"))} |");
            Console.WriteLine($"| messaging share: t_messaging / iteration (median of iterations), target < 5% | | {r.Messaging(PpoShare.Streamed):0.0%} | {r.Messaging(PpoShare.ByReference):0.0%} |");
            Console.WriteLine($"| cluster's cost: (3 members - one process) / 3 members | | {r.Share(PpoShare.Streamed):0.0%} | {r.Share(PpoShare.ByReference):0.0%} |");
        }
}
finally { Directory.Delete(work, recursive: true); }

static int Count(string option, string value) => int.TryParse(value, out var n) && n >= 0
    ? n : throw new ArgumentException($"{option} takes a whole number >= 0, not '{value}'");
