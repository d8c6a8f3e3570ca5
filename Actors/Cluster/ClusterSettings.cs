using AkkaRlhf.Configuration;

namespace AkkaRlhf.Actors.Cluster;

/// <summary>
/// How the RLHF roles use an Akka cluster (<c>akka-rlhf.cluster</c>, every key documented in this module's reference.conf),
/// Akka-style: <see cref="Create"/> reads the block once, the constructor validates. Akka's own
/// keys (seed nodes, roles, split-brain resolver, failure detector, frame size) stay under <c>akka.*</c>.
/// </summary>
public sealed record ClusterSettings
{
    /// <param name="weightsSharedDir">Where policy weights go as files when the nodes share storage ("": streamed in chunks).</param>
    /// <param name="weightsChunkSize">Bytes per streamed weight chunk.</param>
    /// <param name="weightsChunkTimeout">How long a member pulling streamed weights waits for a chunk before it asks again for those in flight.</param>
    /// <param name="maxMessageSize">The largest message sent to another node (Akka's <c>maximum-frame-size</c>; larger is an error at the sender).</param>
    /// <param name="identifyInterval">How often a coordinator looks for role actors on members that have not shown them yet.</param>
    /// <exception cref="ConfigurationException">A value out of range.</exception>
    public ClusterSettings(string weightsSharedDir, int weightsChunkSize, TimeSpan weightsChunkTimeout, long maxMessageSize, TimeSpan identifyInterval)
    {
        if (weightsChunkSize < 1024) throw new ConfigurationException($"akka-rlhf.cluster.weights.chunk-size must be at least 1KiB, not {weightsChunkSize} bytes");
        if (weightsChunkSize > maxMessageSize / 2)
            throw new ConfigurationException($"akka-rlhf.cluster.weights.chunk-size ({weightsChunkSize} bytes) must be at most half of " +
                $"akka.remote.dot-netty.tcp.maximum-frame-size ({maxMessageSize} bytes)");
        if (weightsChunkTimeout <= TimeSpan.Zero) throw new ConfigurationException($"akka-rlhf.cluster.weights.chunk-timeout must be positive, not {weightsChunkTimeout}");
        if (identifyInterval <= TimeSpan.Zero) throw new ConfigurationException($"akka-rlhf.cluster.identify-interval must be positive, not {identifyInterval}");
        (WeightsSharedDir, WeightsChunkSize, WeightsChunkTimeout, MaxMessageSize, IdentifyInterval) =
            (weightsSharedDir, weightsChunkSize, weightsChunkTimeout, maxMessageSize, identifyInterval);
    }

    public string WeightsSharedDir { get; init; }
    public int WeightsChunkSize { get; init; }
    public TimeSpan WeightsChunkTimeout { get; init; }
    public long MaxMessageSize { get; init; }
    public TimeSpan IdentifyInterval { get; init; }

    /// <summary>Weights go as hashed file references (shared storage) rather than streamed.</summary>
    public bool WeightsByReference => WeightsSharedDir.Length > 0;

    /// <summary>Reads <c>akka-rlhf.cluster</c> and Akka's frame size from <paramref name="config"/> (which carries the reference.conf files).</summary>
    public static ClusterSettings Create(Config config)
    {
        var c = config.GetConfig("akka-rlhf.cluster");
        var dir = c.GetString("weights.shared-dir");
        return new ClusterSettings(dir.Length == 0 ? "" : Path.GetFullPath(dir), checked((int)c.GetByteSize("weights.chunk-size")),
            c.GetTimeSpan("weights.chunk-timeout"),
            config.GetByteSize("akka.remote.dot-netty.tcp.maximum-frame-size"), c.GetTimeSpan("identify-interval"));
    }
}
