using System.Text.Json;
using System.Text.Json.Serialization;

namespace AkkaRlhf.Runtime.Serialization;

/// <summary>
/// Writes an <see cref="IActorRef"/> as its full path string including the address (a local reference with the
/// transport's address when one is registered, see <see cref="ActorSystem.ExternalPathOf"/>) and resolves it back
/// with <see cref="ActorSystem.ResolveActorRef(ActorPath)"/> (local actors locally, other systems through the transport).
/// </summary>
internal sealed class ActorRefJsonConverter(ActorSystem system) : JsonConverter<IActorRef>
{
    public override bool CanConvert(Type typeToConvert) => typeof(IActorRef).IsAssignableFrom(typeToConvert);

    public override IActorRef Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var text = reader.GetString() ?? throw new JsonException("An actor reference must be a path string.");
        if (!ActorPath.TryParse(text, out var path)) throw new JsonException($"'{text}' is not an actor path.");
        return system.ResolveActorRef(path);
    }

    public override void Write(Utf8JsonWriter writer, IActorRef value, JsonSerializerOptions options) =>
        writer.WriteStringValue(system.ExternalPathOf(value).ToString());
}
