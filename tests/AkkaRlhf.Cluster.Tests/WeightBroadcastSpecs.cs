using AkkaRlhf.Cluster.Tests.Support;
using Xunit.Abstractions;

namespace AkkaRlhf.Cluster.Tests;

/// <summary>Weight broadcast from a learner to the nodes of a role, over a real broker.</summary>
public sealed class WeightBroadcastSpecs(ITestOutputHelper output) : ClusterSpec(output)
{
    [RabbitMqFact]
    public async Task Weights_are_chunked_reassembled_verified_and_applied_by_every_node_of_the_role_only_when_newer()
    {
        var shared = Directory.CreateTempSubdirectory("akka-rlhf-shared-").FullName;
        var learner = await JoinAsync(Settings("learner") with { ChunkSize = 1 << 20 });
        var receivers = new[]
        {
            await JoinAsync(Settings("rollout-1") with { WeightsSharedDir = shared }), await JoinAsync(Settings("rollout-2") with { WeightsSharedDir = shared }),
        };
        var applied = new List<Recorder.Handle>();
        foreach (var node in receivers)
        {
            var handler = Recorder.Create(node.System, "rollout");
            await node.ServeRoleAsync("rollout", handler.Actor);
            var weights = Recorder.Create(node.System, "weights");
            node.System.EventStream.Subscribe(weights.Actor, typeof(WeightsReceived));
            applied.Add(weights);
        }
        var v1 = new byte[5 * 1024 * 1024 + 123];
        new Random(1).NextBytes(v1);

        await learner.PublishWeightsAsync("rollout", "policy", 1, v1);
        await Eventually.Holds(() => applied.All(a => a.Of<WeightsReceived>().Any()), TimeSpan.FromSeconds(30), () => "v1 not applied everywhere");
        foreach (var a in applied)
        {
            var got = Assert.Single(a.Of<WeightsReceived>());
            Assert.Equal((1L, "policy"), (got.Version, got.Name));
            Assert.Equal(v1, got.Data);
            Assert.Equal(WeightAssembler.Hash(v1), got.Sha256);
        }

        await learner.PublishWeightsAsync("rollout", "policy", 1, v1); // same version again: ignored
        var v2 = v1.Reverse().ToArray();
        var outside = Path.GetTempFileName(); // not under the receivers' shared-dir: never read (it holds other weights, with their own valid hash)
        var checkpoint = Path.Combine(shared, "policy-v2.safetensors");
        try
        {
            await File.WriteAllBytesAsync(outside, v1);
            await learner.PublishWeightReferenceAsync("rollout", "policy", 2, outside);
            // written after its reference went out (shared storage that shows a new file late): the receivers retry the read
            await learner.PublishWeightReferenceAsync("rollout", "policy", 2, checkpoint, v2);
            await Task.Delay(400);
            await File.WriteAllBytesAsync(checkpoint, v2);
            await Eventually.Holds(() => applied.All(a => a.Of<WeightsReceived>().Count() == 2), TimeSpan.FromSeconds(30), () => "v2 not applied everywhere");
        }
        finally
        {
            File.Delete(outside);
            Directory.Delete(shared, recursive: true);
        }
        await Task.Delay(300);
        foreach (var a in applied)
        {
            Assert.Equal([1L, 2L], a.Of<WeightsReceived>().Select(w => w.Version));
            Assert.Equal(v2, a.Of<WeightsReceived>().Last().Data);
        }
    }
}
