using System.Buffers.Binary;
using System.Runtime.Serialization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Akka.Actor;
using AkkaRlhf.Actors.Messages;
using Akka.Serialization;
using static TorchSharp.torch;

namespace AkkaRlhf.Actors.Serialization;

/// <summary>
/// Akka serializer of the RLHF messages: string manifests from the allow-list <see cref="RlhfSerialization.Messages"/>
/// (a CLR type name is never read from the wire), the message as System.Text.Json and every tensor in it as a raw
/// binary payload (<see cref="TensorCodec"/>). Wire layout: int32 JSON length, the UTF-8 JSON (each tensor written as
/// <c>{"$t": index}</c>, every byte[] as <c>{"$b": index}</c>), int32 payload count, then each payload as int64 length + bytes. Bound to every allow-listed
/// type by <see cref="RlhfSerialization.AkkaConfig"/>.
/// </summary>
public sealed class RlhfSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    /// <summary>This serializer's id (Akka reserves 0-100).</summary>
    public const int Id = 4_171;

    private static readonly Dictionary<Type, string> ByType = RlhfSerialization.Messages.ToDictionary(m => m.Type, m => m.Manifest);
    private static readonly Dictionary<string, Type> ByManifest = RlhfSerialization.Messages.ToDictionary(m => m.Manifest, m => m.Type, StringComparer.Ordinal);
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.General)
    {
        Converters = { new TensorConverter(), new BytesConverter(), new SegmentConverter() },
    };
    [ThreadStatic] private static List<ArraySegment<byte>>? t_payloads;

    /// <inheritdoc />
    public override int Identifier => Id;

    /// <inheritdoc />
    public override string Manifest(object o) => ByType.TryGetValue(o.GetType(), out var manifest) ? manifest
        : throw new SerializationException($"{o.GetType().FullName} is not in the RLHF allow-list (RlhfSerialization.Messages)");

    /// <summary>How <see cref="Served"/> travels: its reply as that reply's own manifest and bytes (one level: a served reply is never served again).</summary>
    private sealed record ServedWire(string Manifest, ArraySegment<byte> Reply, double Seconds, double WeightWaitSeconds);

    /// <inheritdoc />
    public override byte[] ToBinary(object obj)
    {
        if (obj is Served served)
            return served.Reply is Served ? throw new SerializationException("a served reply cannot hold another")
                : ToBinary(new ServedWire(Manifest(served.Reply), ToBinary(served.Reply), served.Seconds, served.WeightWaitSeconds));
        if (obj is not ServedWire) _ = Manifest(obj);
        var payloads = new List<ArraySegment<byte>>();
        var previous = Swap(payloads);
        try
        {
            var json = JsonSerializer.SerializeToUtf8Bytes(obj, obj.GetType(), Options);
            var bytes = GC.AllocateUninitializedArray<byte>(checked((int)(4 + json.Length + 4 + payloads.Sum(p => 8L + p.Count))));   // every byte written below
            var span = bytes.AsSpan();
            BinaryPrimitives.WriteInt32LittleEndian(span, json.Length);
            json.CopyTo(span[4..]);
            span = span[(4 + json.Length)..];
            BinaryPrimitives.WriteInt32LittleEndian(span, payloads.Count);
            span = span[4..];
            foreach (var payload in payloads)
            {
                BinaryPrimitives.WriteInt64LittleEndian(span, payload.Count);
                payload.AsSpan().CopyTo(span[8..]);
                span = span[(8 + payload.Count)..];
            }
            return bytes;
        }
        finally { Swap(previous); }
    }

    /// <inheritdoc />
    public override object FromBinary(byte[] bytes, string manifest)
    {
        if (!ByManifest.TryGetValue(manifest, out var type))
            throw new SerializationException($"unknown manifest '{manifest}': not in the RLHF allow-list");
        if (type != typeof(Served)) return Read(bytes, manifest, type);
        var wire = (ServedWire)Read(bytes, manifest, typeof(ServedWire));
        if (wire.Manifest is null || wire.Manifest == manifest || !ByManifest.TryGetValue(wire.Manifest, out var inner))
            throw new SerializationException($"malformed '{manifest}' message: its reply's manifest '{wire.Manifest}' is not an allow-listed answer");
        return new Served(Read(wire.Reply, wire.Manifest, inner), wire.Seconds, wire.WeightWaitSeconds);   // a slice of these bytes: no copy
    }

    private static object Read(ArraySegment<byte> bytes, string manifest, Type type)
    {
        try
        {
            var span = bytes.AsSpan();
            var jsonLength = ReadLength(ref span, 4);
            var json = span[..jsonLength];
            span = span[jsonLength..];
            var count = ReadLength(ref span, 4);
            var payloads = new List<ArraySegment<byte>>(count);
            for (var i = 0; i < count; i++)
            {
                var length = ReadLength(ref span, 8);
                payloads.Add(new ArraySegment<byte>(bytes.Array!, bytes.Offset + bytes.Count - span.Length, length));   // a slice: the bytes are this message's own
                span = span[length..];
            }
            if (!span.IsEmpty) throw new FormatException($"{span.Length} bytes after the last payload");
            var previous = Swap(payloads);
            try { return JsonSerializer.Deserialize(json, type, Options) ?? throw new FormatException("the message is null"); }
            finally { Swap(previous); }
        }
        catch (Exception e) when (e is FormatException or JsonException or NotSupportedException or ArgumentException)
        {
            throw new SerializationException($"malformed '{manifest}' message ({bytes.Count} bytes): {e.Message}", e);
        }
    }

    /// <summary>Reads a 4- or 8-byte length and checks it against what is left.</summary>
    private static int ReadLength(ref Span<byte> span, int size)
    {
        if (span.Length < size) throw new FormatException("truncated");
        var value = size == 4 ? BinaryPrimitives.ReadInt32LittleEndian(span) : BinaryPrimitives.ReadInt64LittleEndian(span);
        span = span[size..];
        if (value < 0 || value > span.Length) throw new FormatException($"length {value} with {span.Length} bytes left");
        return (int)value;
    }

    private static List<ArraySegment<byte>>? Swap(List<ArraySegment<byte>>? payloads)
    {
        var previous = t_payloads;
        t_payloads = payloads;
        return previous;
    }

    /// <summary>Adds <paramref name="payload"/> to the payload list and writes <c>{"KEY": index}</c>.</summary>
    private static void WritePayload(Utf8JsonWriter writer, string key, ArraySegment<byte> payload)
    {
        var payloads = t_payloads!;
        payloads.Add(payload);
        writer.WriteStartObject();
        writer.WriteNumber(key, payloads.Count - 1);
        writer.WriteEndObject();
    }

    /// <summary>Reads <c>{"KEY": index}</c> and returns that payload.</summary>
    private static ArraySegment<byte> ReadPayload(ref Utf8JsonReader reader, string key)
    {
        if (reader.TokenType != JsonTokenType.StartObject || !reader.Read() || reader.GetString() != key || !reader.Read())
            throw new JsonException($"expected a {{\"{key}\": n}} payload reference");
        var index = reader.GetInt32();
        reader.Read();
        var payloads = t_payloads!;
        if (index < 0 || index >= payloads.Count) throw new JsonException($"payload index {index} is out of range");
        return payloads[index];
    }

    /// <summary>A tensor inside a message: <c>{"$t": index}</c> in the JSON, its dtype, shape and bytes in the payload list.</summary>
    private sealed class TensorConverter : JsonConverter<Tensor>
    {
        public override Tensor Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            TensorCodec.Read(ReadPayload(ref reader, "$t"));

        public override void Write(Utf8JsonWriter writer, Tensor value, JsonSerializerOptions options)
        {
            WritePayload(writer, "$t", TensorCodec.ToBytes(value));
        }
    }

    /// <summary>A byte array inside a message (weight chunks): <c>{"$b": index}</c> in the JSON, raw in the payload list (not base64).</summary>
    private sealed class BytesConverter : JsonConverter<byte[]>
    {
        public override byte[] Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => ReadPayload(ref reader, "$b").ToArray();

        public override void Write(Utf8JsonWriter writer, byte[] value, JsonSerializerOptions options) => WritePayload(writer, "$b", value);
    }

    /// <summary>A byte segment inside a message (weight chunks): as a byte array, and read back as a slice of the received bytes (no copy).</summary>
    private sealed class SegmentConverter : JsonConverter<ArraySegment<byte>>
    {
        public override ArraySegment<byte> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => ReadPayload(ref reader, "$b");

        public override void Write(Utf8JsonWriter writer, ArraySegment<byte> value, JsonSerializerOptions options) => WritePayload(writer, "$b", value);
    }
}
