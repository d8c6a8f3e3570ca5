using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace AkkaRlhf.Runtime.Serialization;

/// <summary>
/// Serializes messages as System.Text.Json plus binary payloads. Only allow-listed types can be
/// (de)serialized: each is registered with a stable manifest string, and deserialization looks the
/// manifest up in the allow-list — a CLR type name is never read from the wire. Register every
/// message type at start-up, before the first message is serialized. Built in: string, int, long,
/// double, bool and byte[] (manifests <c>sys.string</c>, <c>sys.int32</c>, ...).
/// </summary>
public sealed class MessageSerialization
{
    private readonly ConcurrentDictionary<string, Type> _byManifest = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Type, string> _byType = new();
    private readonly JsonSerializerOptions _options;

    internal MessageSerialization(ActorSystem system)
    {
        _options = new JsonSerializerOptions(JsonSerializerDefaults.General)
        {
            IncludeFields = false,
            Converters = { new ActorRefJsonConverter(system) },
        };
        Register<string>("sys.string").Register<int>("sys.int32").Register<long>("sys.int64")
            .Register<double>("sys.double").Register<bool>("sys.bool").Register<byte[]>("sys.bytes");
    }

    /// <summary>Allow-lists <typeparamref name="T"/> under <paramref name="manifest"/> (idempotent for the same pair).</summary>
    public MessageSerialization Register<T>(string manifest) => Register(typeof(T), manifest);

    /// <summary>Allow-lists <paramref name="type"/> under <paramref name="manifest"/>.</summary>
    public MessageSerialization Register(Type type, string manifest)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentException.ThrowIfNullOrWhiteSpace(manifest);
        var existing = _byManifest.GetOrAdd(manifest, type);
        if (existing != type)
            throw new ArgumentException($"Manifest '{manifest}' is already registered for {existing.FullName}.", nameof(manifest));
        var existingManifest = _byType.GetOrAdd(type, manifest);
        if (existingManifest != manifest)
            throw new ArgumentException($"{type.FullName} is already registered as '{existingManifest}'.", nameof(type));
        return this;
    }

    /// <summary>Serializes values of <typeparamref name="T"/> found inside messages as raw binary payloads.</summary>
    public MessageSerialization RegisterPayload<T>(IPayloadSerializer<T> serializer)
    {
        ArgumentNullException.ThrowIfNull(serializer);
        if (_options.IsReadOnly) throw new InvalidOperationException("Register payload serializers before the first message is serialized.");
        _options.Converters.Add(new PayloadJsonConverter<T>(serializer));
        return this;
    }

    /// <summary>True if <paramref name="type"/> is allow-listed.</summary>
    public bool IsRegistered(Type type) => _byType.ContainsKey(type);

    /// <summary>The manifest of an allow-listed type.</summary>
    public string ManifestFor(Type type) =>
        _byType.TryGetValue(type, out var manifest)
            ? manifest
            : throw new MessageSerializationException(
                $"Message type {type.FullName} is not allow-listed for serialization. " +
                $"Register it at start-up: system.Serialization.Register<{type.Name}>(\"a-stable-manifest\").");

    /// <summary>Serializes an allow-listed message.</summary>
    public SerializedMessage Serialize(object message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var manifest = ManifestFor(message.GetType());
        var payloads = new List<byte[]>();
        var previous = PayloadScope.Swap(payloads);
        try
        {
            var json = JsonSerializer.SerializeToUtf8Bytes(message, message.GetType(), _options);
            return new SerializedMessage(manifest, json, payloads);
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException)
        {
            throw new MessageSerializationException($"Could not serialize {message.GetType().FullName} ('{manifest}'): {e.Message}", e);
        }
        finally { PayloadScope.Swap(previous); }
    }

    /// <summary>Deserializes a message whose manifest is allow-listed.</summary>
    public object Deserialize(SerializedMessage serialized)
    {
        ArgumentNullException.ThrowIfNull(serialized);
        if (!_byManifest.TryGetValue(serialized.Manifest, out var type))
            throw new MessageSerializationException($"Unknown manifest '{serialized.Manifest}': it is not in the allow-list.");
        var previous = PayloadScope.Swap(serialized.Payloads.ToList());
        try
        {
            return JsonSerializer.Deserialize(serialized.Json, type, _options)
                ?? throw new MessageSerializationException($"Manifest '{serialized.Manifest}' deserialized to null.");
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException)
        {
            throw new MessageSerializationException($"Could not deserialize '{serialized.Manifest}' as {type.FullName}: {e.Message}", e);
        }
        finally { PayloadScope.Swap(previous); }
    }

    /// <summary>
    /// serialize-messages mode: returns the message after a round trip, or throws a clear error at the
    /// Tell. Kernel messages and <see cref="INoSerializationVerificationNeeded"/> messages pass as they are.
    /// </summary>
    internal object VerifyRoundTrip(object message, IActorRef recipient)
    {
        if (message is INoSerializationVerificationNeeded or IAutoReceivedMessage) return message;
        try
        {
            return Deserialize(Serialize(message));
        }
        catch (MessageSerializationException e)
        {
            throw new MessageSerializationException(
                $"serialize-messages is on and a message of type {message.GetType().FullName} sent to {recipient.Path} " +
                $"failed its serialization round trip: {e.Message}", e);
        }
    }
}
