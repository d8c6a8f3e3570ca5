using System.Buffers.Binary;
using AkkaRlhf.Runtime.Serialization;

namespace AkkaRlhf.Persistence.Serialization;

/// <summary>
/// An event or snapshot as stored: the allow-list manifest and one byte array holding the serializer's JSON
/// and binary payloads. Layout: version byte 1, JSON length (int32 LE), JSON, payload count (int32 LE), then
/// per payload its length (int32 LE) and bytes. The manifest alone decides the type on the way back.
/// </summary>
public readonly record struct StoredPayload(string Manifest, byte[] Bytes)
{
    private const byte Version = 1;

    /// <summary>Serializes <paramref name="value"/> with <paramref name="serialization"/> (it must be allow-listed).</summary>
    /// <exception cref="MessageSerializationException">The type is not allow-listed or cannot be serialized.</exception>
    public static StoredPayload From(MessageSerialization serialization, object value)
    {
        var message = serialization.Serialize(value);
        var size = 1 + 4 + message.Json.Length + 4 + message.Payloads.Sum(p => 4 + p.Length);
        var bytes = new byte[size];
        bytes[0] = Version;
        var at = 1;
        at = WriteBlock(bytes, at, message.Json);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(at), message.Payloads.Count);
        at += 4;
        foreach (var payload in message.Payloads) at = WriteBlock(bytes, at, payload);
        return new StoredPayload(message.Manifest, bytes);
    }

    /// <summary>Deserializes the stored value through the allow-list.</summary>
    /// <exception cref="MessageSerializationException">The manifest is unknown or the bytes are not a stored payload.</exception>
    public object ToValue(MessageSerialization serialization)
    {
        try
        {
            var span = Bytes.AsSpan();
            if (span.Length < 9 || span[0] != Version)
                throw new MessageSerializationException($"Stored payload of '{Manifest}' has an unknown format (version {(span.Length > 0 ? span[0] : -1)}).");
            var at = 1;
            var json = ReadBlock(span, ref at);
            var count = BinaryPrimitives.ReadInt32LittleEndian(span[at..]);
            at += 4;
            if (count < 0 || count > span.Length) throw new MessageSerializationException($"Stored payload of '{Manifest}' is corrupt.");
            var payloads = new byte[count][];
            for (var i = 0; i < count; i++) payloads[i] = ReadBlock(span, ref at);
            return serialization.Deserialize(new SerializedMessage(Manifest, json, payloads));
        }
        catch (Exception e) when (e is ArgumentOutOfRangeException or IndexOutOfRangeException)
        {
            throw new MessageSerializationException($"Stored payload of '{Manifest}' is truncated.", e);
        }
    }

    private static int WriteBlock(byte[] target, int at, byte[] block)
    {
        BinaryPrimitives.WriteInt32LittleEndian(target.AsSpan(at), block.Length);
        block.CopyTo(target, at + 4);
        return at + 4 + block.Length;
    }

    private static byte[] ReadBlock(ReadOnlySpan<byte> span, ref int at)
    {
        var length = BinaryPrimitives.ReadInt32LittleEndian(span[at..]);
        var block = span.Slice(at + 4, length).ToArray();
        at += 4 + length;
        return block;
    }
}
