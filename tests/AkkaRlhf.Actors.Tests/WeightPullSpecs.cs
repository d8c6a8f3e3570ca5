using System.Collections.Concurrent;
using AkkaRlhf.Actors.Cluster;
using AkkaRlhf.Actors.Messages;
using AkkaRlhf.Actors.Pipeline;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace AkkaRlhf.Actors.Tests;

/// <summary>
/// A member's <see cref="RoleWorker"/> pulling streamed policy weights from the coordinator's <see cref="WeightServer"/>
/// over a link that loses one chunk request (as when the connection between two nodes drops and comes back): the pull
/// asks again after <c>chunk-timeout</c>, and the version reaches the role whole and verified.
/// </summary>
public sealed class WeightPullSpecs(ITestOutputHelper output) : RlhfTestKit(output)
{
    /// <summary>Forwards everything to the server, except the first request for chunk <paramref name="lost"/>.</summary>
    private sealed class LossyLink : ReceiveActor
    {
        public LossyLink(IActorRef server, int lost)
        {
            var dropped = false;
            Receive<GetWeightsChunk>(g => g.Index == lost && !dropped, _ => dropped = true);
            ReceiveAny(m => server.Forward(m));
        }
    }

    /// <summary>The role: hands each policy version it gets to <paramref name="probe"/>.</summary>
    private sealed class WeightsRole : ReceiveActor
    {
        public WeightsRole(IActorRef probe) => Receive<PolicyWeights>(w => probe.Tell(w));
    }

    [Fact]
    public void A_lost_chunk_must_be_asked_for_again_after_the_chunk_timeout_and_the_version_applied_whole()
    {
        var settings = new ClusterSettings("", weightsChunkSize: 1024, weightsChunkTimeout: TimeSpan.FromMilliseconds(300), maxMessageSize: 1 << 20,
            identifyInterval: TimeSpan.FromSeconds(1));
        var weight = tensor(Enumerable.Range(0, 2000).Select(i => (float)i).ToArray()).reshape(40, 50);   // 8,000 bytes: 8 chunks and a header
        var (data, length) = WeightFiles.WriteInto(null, new Dictionary<string, Tensor> { ["w"] = weight });
        var server = Sys.ActorOf(WeightServer.Props(settings.WeightsChunkSize, new ConcurrentQueue<byte[]>()));
        server.Tell(new WeightServer.Hold(1, data, length));
        var link = Sys.ActorOf(Props.Create(() => new LossyLink(server, 2)));
        var role = CreateTestProbe();
        var printed = new ConcurrentQueue<string>();
        var worker = Sys.ActorOf(RoleWorker.Props("rollout", Props.Create(() => new WeightsRole(role)), pool: false,
            new RoleRestarts(TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(1), 3, TimeSpan.FromMinutes(1)), TimeSpan.FromSeconds(10), settings, printed.Enqueue));

        EventFilter.Warning(contains: "policy v1: no chunk for 0.3 s; asking again for 1 chunk(s)").ExpectOne(TimeSpan.FromSeconds(5), () =>
            worker.Tell(new WeightsOffer(1, WeightFiles.Sha256(data.AsSpan(0, (int)length)), length, settings.WeightsChunkSize, Rewind: false), link));
        var applied = role.ExpectMsg<PolicyWeights>(TimeSpan.FromSeconds(5));
        Assert.Equal(1, applied.Version);
        Assert.Equal(weight.data<float>().ToArray(), applied.State["w"].data<float>().ToArray());
        Assert.Contains(printed, l => l.StartsWith("policy v1 applied (", StringComparison.Ordinal));
    }
}
