using System.Diagnostics;
using Akka.Actor;
using AkkaRlhf.Actors.Cluster;
using AkkaRlhf.Actors.Messages;
using AkkaRlhf.Actors.Pipeline;
using static TorchSharp.torch;
using RlhfConfig = AkkaRlhf.Configuration.Config;

namespace AkkaRlhf.Bench.Cluster;

/// <summary>
/// Policy weights of <see cref="Bytes"/> (float32 tensors) from the coordinator to two rollout members, through the
/// product's path (<see cref="ClusterRoles.PublishWeights"/> to each member's <see cref="RoleWorker"/>): by hashed file
/// reference under a shared directory, then streamed in chunks. A version counts from the publish call until both members
/// printed "policy vN applied" (hash verified, tensors built); the rate is the version's bytes over that time.
/// </summary>
internal static class WeightSync
{
    public const long Bytes = 50_000_000;
    private const int Tensors = 25;
    public const int WarmUp = 3;

    public sealed record Result(double ReferenceMedian, double ReferenceBest, double StreamedMedian, double StreamedBest, long FileBytes);

    /// <summary>The other process: a member with the role rollout whose worker hands the weights to a sink.</summary>
    public static async Task ServeAsync(int seedPort, string sharedDir)
    {
        var config = Members.Config(0, seedPort, ["rollout"], $"akka-rlhf.cluster.weights.shared-dir=\"{sharedDir}\"");
        var system = await Members.StartAsync(config);
        var restarts = new RoleRestarts(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), 3, TimeSpan.FromMinutes(1));
        system.ActorOf(RoleWorker.Props("rollout", Props.Create(() => new Sink()), pool: false, restarts, TimeSpan.FromMinutes(1),
            ClusterSettings.Create(config), Console.WriteLine), RoleDispatcher.WorkerName("rollout"));
        Console.WriteLine($"weights member {Members.AddressOf(system)}");
        await Task.Delay(Timeout.Infinite);
    }

    /// <summary>Stands in for a generator: takes the weights and frees them.</summary>
    private sealed class Sink : ReceiveActor
    {
        public Sink() => Receive<PolicyWeights>(w => { foreach (var t in w.State.Values) t.Dispose(); });
    }

    public static async Task<Result> MeasureAsync(ActorSystem system, RlhfConfig config, string sharedDir, IReadOnlyList<Child> members, int repeats)
    {
        var settings = ClusterSettings.Create(config);
        var byReference = new ClusterRoles(system, settings with { WeightsSharedDir = Path.GetFullPath(sharedDir) }, TimeSpan.FromMinutes(1), [], "by-reference");
        var streamed = new ClusterRoles(system, settings with { WeightsSharedDir = "" }, TimeSpan.FromMinutes(1), [], "streamed");
        foreach (var roles in new[] { byReference, streamed })
            for (var tries = 0; await roles.Router("rollout").Ask<int>(RoleDispatcher.CountWorkers.Instance, TimeSpan.FromSeconds(10)) < members.Count; tries++)
            {
                if (tries > 600) throw new TimeoutException("the rollout members were not found");
                await Task.Delay(100);
            }

        var generator = new Generator(7);
        var state = Enumerable.Range(0, Tensors).ToDictionary(i => $"h.{i}.weight", _ => randn([Bytes / 4 / Tensors], generator: generator));
        var fileBytes = WeightFiles.WriteInto(null, state).Length;
        var version = 0L;

        async Task<double> Publish(ClusterRoles roles)
        {
            var v = ++version;
            var start = Stopwatch.GetTimestamp();
            roles.PublishWeights("rollout", new PolicyWeights(v, state));
            var applied = 0L;
            foreach (var m in members)
                applied = Math.Max(applied, (await m.WaitForLineAsync(l => l.StartsWith($"policy v{v} applied", StringComparison.Ordinal), TimeSpan.FromMinutes(1))).At);
            return Bytes / 1e6 / ((applied - start) / (double)Stopwatch.Frequency);
        }

        for (var i = 0; i < WarmUp; i++)                                                // members live long: their JIT has settled
        {
            await Publish(byReference);
            await Publish(streamed);
        }
        var reference = new List<double>();
        var stream = new List<double>();
        for (var i = 0; i < repeats; i++)
        {
            reference.Add(await Publish(byReference));
            stream.Add(await Publish(streamed));
        }
        if (Environment.GetEnvironmentVariable("BENCH_VERBOSE") == "1")
            foreach (var m in members) foreach (var l in m.Lines.Where(l => l.Line.StartsWith("policy v", StringComparison.Ordinal))) Console.WriteLine($"  {m.Name}: {l.Line}");
        byReference.Stop();
        streamed.Stop();
        return new Result(Median(reference), reference.Max(), Median(stream), stream.Max(), fileBytes);
    }

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
