using System.Runtime.Serialization;
using System.Text.Json;
using Akka.Actor;
using Akka.Serialization;

namespace AkkaRlhf.Persistence.Runs;

/// <summary>
/// Akka serializer of the run journal's events and snapshot: System.Text.Json under the string manifests of
/// <see cref="RunJournal.Manifests"/> (an allow-list: a CLR type name is never read from the database).
/// </summary>
public sealed class RunEventSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    /// <summary>This serializer's id (Akka reserves 0-100).</summary>
    public const int Id = 4_172;

    private static readonly Dictionary<Type, string> ByType = RunJournal.Manifests.ToDictionary(m => m.Type, m => m.Manifest);
    private static readonly Dictionary<string, Type> ByManifest = RunJournal.Manifests.ToDictionary(m => m.Manifest, m => m.Type, StringComparer.Ordinal);

    /// <inheritdoc />
    public override int Identifier => Id;

    /// <inheritdoc />
    public override string Manifest(object o) => ByType.TryGetValue(o.GetType(), out var manifest) ? manifest
        : throw new SerializationException($"{o.GetType().FullName} is not a run journal event (RunJournal.Manifests)");

    /// <inheritdoc />
    public override byte[] ToBinary(object obj)
    {
        _ = Manifest(obj);
        return JsonSerializer.SerializeToUtf8Bytes(obj, obj.GetType());
    }

    /// <inheritdoc />
    public override object FromBinary(byte[] bytes, string manifest)
    {
        if (!ByManifest.TryGetValue(manifest, out var type))
            throw new SerializationException($"unknown run journal manifest '{manifest}'");
        try { return JsonSerializer.Deserialize(bytes, type) ?? throw new JsonException("null"); }
        catch (JsonException e) { throw new SerializationException($"malformed '{manifest}' record ({bytes.Length} bytes): {e.Message}", e); }
    }
}
