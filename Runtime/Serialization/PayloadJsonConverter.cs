using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace AkkaRlhf.Runtime.Serialization;

/// <summary>The payload list of the (de)serialization running on this thread.</summary>
internal static class PayloadScope
{
    [ThreadStatic] private static List<byte[]>? t_payloads;

    public static List<byte[]> Current =>
        t_payloads ?? throw new InvalidOperationException("Binary payloads can only be written through MessageSerialization.");

    public static List<byte[]>? Swap(List<byte[]>? payloads)
    {
        var previous = t_payloads;
        t_payloads = payloads;
        return previous;
    }
}

/// <summary>Writes a registered payload type as <c>{"$payload": index}</c> and its bytes into the payload list.</summary>
internal sealed class PayloadJsonConverter<T>(IPayloadSerializer<T> serializer) : JsonConverter<T>
{
    public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject || !reader.Read() || reader.GetString() != "$payload" || !reader.Read())
            throw new JsonException($"Expected a {{\"$payload\": n}} reference for {typeof(T).Name}.");
        var index = reader.GetInt32();
        reader.Read();
        var payloads = PayloadScope.Current;
        if (index < 0 || index >= payloads.Count) throw new JsonException($"Payload index {index} is out of range.");
        return serializer.Read(payloads[index]);
    }

    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options)
    {
        var buffer = new ArrayBufferWriter<byte>();
        serializer.Write(value, buffer);
        var payloads = PayloadScope.Current;
        payloads.Add(buffer.WrittenSpan.ToArray());
        writer.WriteStartObject();
        writer.WriteNumber("$payload", payloads.Count - 1);
        writer.WriteEndObject();
    }
}
