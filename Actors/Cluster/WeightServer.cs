using System.Collections.Concurrent;
using AkkaRlhf.Actors.Messages;
using Akka.Actor;

namespace AkkaRlhf.Actors.Cluster;

/// <summary>
/// Serves streamed policy weights: holds the newest two versions' safetensors bytes and answers each
/// <see cref="GetWeightsChunk"/> with its <see cref="WeightsChunk"/> (empty for a version no longer held). The receivers
/// pull with a window of requests in flight, so a slow node never floods the remoting of a fast one. A buffer it lets go
/// goes to the queue <c>released</c>, for a later version to be written into (weights keep their size).
/// </summary>
public sealed class WeightServer : ReceiveActor
{
    /// <summary>Keeps the first <paramref name="Length"/> bytes of <paramref name="Data"/> as <paramref name="Version"/>.</summary>
    public sealed record Hold(long Version, byte[] Data, long Length);

    public static Props Props(int chunkSize, ConcurrentQueue<byte[]> released) =>
        Akka.Actor.Props.Create(() => new WeightServer(chunkSize, released));

    public WeightServer(int chunkSize, ConcurrentQueue<byte[]> released)
    {
        var held = new List<Hold>();
        Receive<Hold>(hold =>
        {
            foreach (var same in held.Where(h => h.Version == hold.Version).ToList()) Release(same);
            held.Add(hold);
            if (held.Count > 2) Release(held[0]);
        });
        Receive<GetWeightsChunk>(get =>
        {
            var hold = held.FirstOrDefault(h => h.Version == get.Version);
            var offset = (long)get.Index * chunkSize;
            if (hold is null || get.Index < 0 || offset >= hold.Length)
            {
                Sender.Tell(new WeightsChunk(get.Version, get.Index, ArraySegment<byte>.Empty));
                return;
            }
            var chunk = GC.AllocateUninitializedArray<byte>((int)Math.Min(chunkSize, hold.Length - offset));   // a copy: the buffer is reused later
            hold.Data.AsSpan((int)offset, chunk.Length).CopyTo(chunk);
            Sender.Tell(new WeightsChunk(get.Version, get.Index, chunk));
        });

        void Release(Hold hold)
        {
            held.Remove(hold);
            if (!held.Any(h => ReferenceEquals(h.Data, hold.Data))) released.Enqueue(hold.Data);
        }
    }
}
