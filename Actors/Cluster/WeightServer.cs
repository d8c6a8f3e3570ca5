using AkkaRlhf.Actors.Messages;
using Akka.Actor;

namespace AkkaRlhf.Actors.Cluster;

/// <summary>
/// Serves streamed policy weights: holds the newest two versions' safetensors bytes and answers each
/// <see cref="GetWeightsChunk"/> with its <see cref="WeightsChunk"/> (empty for a version no longer held). The receivers
/// pull with a window of requests in flight, so a slow node never floods the remoting of a fast one.
/// </summary>
public sealed class WeightServer : ReceiveActor
{
    /// <summary>Keeps <paramref name="Data"/> as <paramref name="Version"/>.</summary>
    public sealed record Hold(long Version, byte[] Data);

    public static Props Props(int chunkSize) => Akka.Actor.Props.Create(() => new WeightServer(chunkSize));

    public WeightServer(int chunkSize)
    {
        var held = new List<Hold>();
        Receive<Hold>(hold =>
        {
            held.RemoveAll(h => h.Version == hold.Version);
            held.Add(hold);
            if (held.Count > 2) held.RemoveAt(0);
        });
        Receive<GetWeightsChunk>(get =>
        {
            var data = held.FirstOrDefault(h => h.Version == get.Version)?.Data;
            var offset = (long)get.Index * chunkSize;
            Sender.Tell(data is null || get.Index < 0 || offset >= data.LongLength
                ? new WeightsChunk(get.Version, get.Index, [])
                : new WeightsChunk(get.Version, get.Index, data.AsSpan((int)offset, (int)Math.Min(chunkSize, data.LongLength - offset)).ToArray()));
        });
    }
}
