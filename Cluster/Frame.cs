using System.Buffers.Binary;
using System.Text;
using AkkaRlhf.Runtime.Serialization;

namespace AkkaRlhf.Cluster;

/// <summary>
/// A message as it travels in an AMQP body: its id, who it is for, who sent it, and the runtime's
/// <see cref="SerializedMessage"/> (manifest, JSON, binary payloads). Layout, big-endian:
/// <c>"AKR2" | u16 n, id | u16 n, recipient | u16 n, sender | u16 n, manifest | u32 n, json | u16 count, (u32 n, payload)*</c>.
/// The frame carries everything the receiver needs, so the AMQP message has no properties but its delivery mode
/// (fewer bytes to write and parse per message on both sides and on the broker).
/// Decoding checks every length against the bytes present, so a truncated or forged body is a
/// <see cref="MalformedFrameException"/>, never an out-of-range read.
/// </summary>
/// <param name="Id">The message id, unique across nodes (the receiver drops duplicates by it), or empty (not filtered).</param>
/// <param name="Recipient">The recipient's path without address (<c>/user/a</c>), or a cluster-internal target.</param>
/// <param name="Sender">The sender's full path, or empty when there is none.</param>
/// <param name="Message">The serialized message.</param>
public sealed record Frame(string Id, string Recipient, string Sender, SerializedMessage Message)
{
    private static ReadOnlySpan<byte> Magic => "AKR2"u8;

    /// <summary>Longest message id, in UTF-8 bytes (an AMQP short string; the duplicate filter keeps many of them).</summary>
    public const int MaxIdLength = 255;

    /// <summary>Bytes a frame may need beyond its JSON and payload contents (paths, manifest, lengths).</summary>
    public const int MaxOverhead = 64 * 1024;

    /// <summary>Encodes the frame.</summary>
    /// <exception cref="MessageSizeException">The frame would be larger than <paramref name="maxSize"/>.</exception>
    public byte[] Encode(int maxSize)
    {
        // Sized first, then written once into the one array (no intermediate byte[] per string).
        var id = Encoding.UTF8.GetByteCount(Id);
        if (id > MaxIdLength) throw new MessageSizeException($"The message id of '{Message.Manifest}' is {id} bytes, over {MaxIdLength}.");
        var recipient = Encoding.UTF8.GetByteCount(Recipient);
        var sender = Encoding.UTF8.GetByteCount(Sender);
        var manifest = Encoding.UTF8.GetByteCount(Message.Manifest);
        var payloads = Message.Payloads;
        if (id > ushort.MaxValue || recipient > ushort.MaxValue || sender > ushort.MaxValue || manifest > ushort.MaxValue || payloads.Count > ushort.MaxValue)
            throw new MessageSizeException($"The id, a path, the manifest or the payload count of '{Message.Manifest}' is too long for a frame.");
        long size = Magic.Length + 2 + id + 2 + recipient + 2 + sender + 2 + manifest + 4 + Message.Json.Length + 2;
        for (var i = 0; i < payloads.Count; i++) size += 4 + payloads[i].Length;
        if (size > maxSize)
            throw new MessageSizeException(
                $"Message '{Message.Manifest}' to {Recipient} is {size} bytes, over akka.cluster.max-message-size ({maxSize} bytes). " +
                "Send large data (weights) with ClusterNode.PublishWeightsAsync, which chunks it, or raise the limit.");
        var bytes = GC.AllocateUninitializedArray<byte>((int)size);
        var span = bytes.AsSpan();
        Magic.CopyTo(span);
        var at = Magic.Length;
        at = WriteShort(span, at, Id, id);
        at = WriteShort(span, at, Recipient, recipient);
        at = WriteShort(span, at, Sender, sender);
        at = WriteShort(span, at, Message.Manifest, manifest);
        BinaryPrimitives.WriteInt32BigEndian(span[at..], Message.Json.Length);
        Message.Json.CopyTo(span[(at + 4)..]);
        at += 4 + Message.Json.Length;
        BinaryPrimitives.WriteUInt16BigEndian(span[at..], (ushort)payloads.Count);
        at += 2;
        for (var i = 0; i < payloads.Count; i++)
        {
            var p = payloads[i];
            BinaryPrimitives.WriteInt32BigEndian(span[at..], p.Length);
            p.CopyTo(span[(at + 4)..]);
            at += 4 + p.Length;
        }
        return bytes;
    }

    /// <summary>Decodes a frame written by <see cref="Encode"/>.</summary>
    /// <exception cref="MessageSizeException">The body is larger than <paramref name="maxSize"/>.</exception>
    /// <exception cref="MalformedFrameException">The body is not a valid frame.</exception>
    public static Frame Decode(ReadOnlySpan<byte> body, int maxSize)
    {
        if (body.Length > maxSize)
            throw new MessageSizeException($"Received a message of {body.Length} bytes, over akka.cluster.max-message-size ({maxSize} bytes).");
        if (body.Length < Magic.Length || !body[..Magic.Length].SequenceEqual(Magic))
            throw new MalformedFrameException("The body does not start with the frame marker 'AKR2' (not a cluster message, or another version).");
        var reader = new Reader(body, Magic.Length);
        var idLength = reader.UInt16();
        if (idLength > MaxIdLength) throw new MalformedFrameException($"The message id is {idLength} bytes, over {MaxIdLength}.");
        var id = Encoding.UTF8.GetString(reader.Take(idLength));
        var recipient = Encoding.UTF8.GetString(reader.Take(reader.UInt16()));
        var sender = Encoding.UTF8.GetString(reader.Take(reader.UInt16()));
        var manifest = Encoding.UTF8.GetString(reader.Take(reader.UInt16()));
        var json = reader.Take(reader.Int32()).ToArray();
        var count = reader.UInt16();
        var payloads = new byte[count][];
        for (var i = 0; i < count; i++) payloads[i] = reader.Take(reader.Int32()).ToArray();
        if (reader.Remaining != 0) throw new MalformedFrameException($"The frame has {reader.Remaining} trailing bytes.");
        if (manifest.Length == 0) throw new MalformedFrameException("The frame has no manifest.");
        return new Frame(id, recipient, sender, new SerializedMessage(manifest, json, payloads));
    }

    private static int WriteShort(Span<byte> span, int at, string value, int length)
    {
        BinaryPrimitives.WriteUInt16BigEndian(span[at..], (ushort)length);
        Encoding.UTF8.GetBytes(value, span.Slice(at + 2, length));
        return at + 2 + length;
    }

    private ref struct Reader(ReadOnlySpan<byte> body, int position)
    {
        private readonly ReadOnlySpan<byte> _body = body;
        private int _at = position;

        public readonly int Remaining => _body.Length - _at;

        public ushort UInt16() => BinaryPrimitives.ReadUInt16BigEndian(Take(2));

        public int Int32()
        {
            var n = BinaryPrimitives.ReadInt32BigEndian(Take(4));
            return n >= 0 ? n : throw new MalformedFrameException($"Negative length {n} in the frame.");
        }

        public ReadOnlySpan<byte> Take(int count)
        {
            if (count > Remaining) throw new MalformedFrameException($"The frame is truncated: {count} bytes expected at offset {_at}, {Remaining} left.");
            var slice = _body.Slice(_at, count);
            _at += count;
            return slice;
        }
    }
}
