using System.Text.Json;

namespace AkkaRlhf.Cluster;

/// <summary>
/// The cluster's own messages (heartbeats, weight chunks). They use their own fixed JSON contract, not
/// the application's allow-list, and are recognised by their frame recipient.
/// </summary>
internal static class ControlMessages
{
    /// <summary>Frame recipient of heartbeats.</summary>
    public const string HeartbeatRecipient = "cluster:heartbeat";

    /// <summary>Frame recipient of weight chunks and references.</summary>
    public const string WeightsRecipient = "cluster:weights";

    /// <summary>Frame recipient prefix of broadcasts to a role's local handler.</summary>
    public const string RolePrefix = "role:";

    public const string HeartbeatManifest = "akka-rlhf.cluster.heartbeat";
    public const string WeightChunkManifest = "akka-rlhf.cluster.weight-chunk";
    public const string WeightReferenceManifest = "akka-rlhf.cluster.weight-reference";

    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static byte[] ToJson<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, Options);

    /// <exception cref="MalformedFrameException">The JSON does not match <typeparamref name="T"/>.</exception>
    public static T FromJson<T>(byte[] json)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(json, Options) ?? throw new MalformedFrameException($"Empty {typeof(T).Name}.");
        }
        catch (JsonException e)
        {
            throw new MalformedFrameException($"Invalid {typeof(T).Name}: {e.Message}");
        }
    }
}

/// <summary>A node announcing itself (or its departure).</summary>
internal sealed record Heartbeat(string Address, string[] Roles, bool Leaving);

/// <summary>One chunk of a weight broadcast; its bytes are the frame's only payload.</summary>
internal sealed record WeightChunk(string Name, long Version, int Index, int Count, long Length, string Sha256);

/// <summary>A weight broadcast by reference to a checkpoint file on storage all nodes share.</summary>
internal sealed record WeightReference(string Name, long Version, string Path, string Sha256);
