using AkkaRlhf.Configuration;

namespace AkkaRlhf.Cluster;

/// <summary>
/// The cluster's settings, read by <see cref="FromConfig"/> from <c>akka.cluster</c> (every key and its
/// default is commented in the embedded reference.conf).
/// </summary>
public sealed record ClusterSettings
{
    /// <summary>The embedded reference.conf of this module.</summary>
    public static Config Reference => ConfigurationFactory.FromResource(typeof(ClusterSettings).Assembly);

    /// <summary>Host part of this node's address (default: the machine name).</summary>
    public required string Hostname { get; init; }

    /// <summary>Roles served by this node.</summary>
    public IReadOnlyList<string> Roles { get; init; } = [];

    /// <summary>Broker location and credentials.</summary>
    public required BrokerSettings Broker { get; init; }

    /// <summary>Heartbeat period.</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Silence after which a member is unreachable.</summary>
    public TimeSpan UnreachableAfter { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Silence after which a member is removed.</summary>
    public TimeSpan RemovedAfter { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Largest frame sent or accepted, in bytes.</summary>
    public int MaxMessageSize { get; init; } = 16 << 20;

    /// <summary>Weight broadcast chunk size, in bytes.</summary>
    public int ChunkSize { get; init; } = 4 << 20;

    /// <summary>Storage every node sees at the same path, for weights sent by reference; empty: weights travel in chunks.</summary>
    public string WeightsSharedDir { get; init; } = "";

    /// <summary>First reconnect wait.</summary>
    public TimeSpan MinBackoff { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Longest reconnect wait.</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Unacknowledged work messages per role consumer.</summary>
    public ushort RolePrefetch { get; init; } = 1;

    /// <summary>Unacknowledged messages on the node queue.</summary>
    public ushort NodePrefetch { get; init; } = 256;

    /// <summary>Handled node-queue messages that are acknowledged at once, with one ack (1 = each message).</summary>
    public int NodeAckBatch { get; init; } = 64;

    /// <summary>Longest wait before handled node-queue messages are acknowledged.</summary>
    public TimeSpan NodeAckDelay { get; init; } = TimeSpan.FromMilliseconds(5);

    /// <summary>How long the broker keeps a node queue without consumer.</summary>
    public TimeSpan NodeQueueExpires { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>How many recent message ids are remembered to drop duplicates.</summary>
    public int DuplicateWindow { get; init; } = 100_000;

    /// <summary>Settings for a node of a broker on this machine, defaults elsewhere (tests and benchmarks).</summary>
    public static ClusterSettings ForLoopback(int brokerPort, params string[] roles) =>
        FromConfig(ConfigurationFactory.Empty, _ => null) with { Broker = BrokerSettings.Loopback(brokerPort), Roles = roles };

    /// <summary>Reads <c>akka.cluster</c> from <paramref name="config"/> over the reference.conf.</summary>
    /// <param name="config">The application configuration.</param>
    /// <param name="environment">Environment lookup for credentials (the process environment when null).</param>
    /// <exception cref="ClusterConfigurationException">A value is out of range or the credentials are unsafe.</exception>
    public static ClusterSettings FromConfig(Config config, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var c = config.WithFallback(Reference).GetConfig("akka.cluster");
        string FromEnv(string key, string envKey)
        {
            var name = c.GetString(envKey);
            var value = string.IsNullOrEmpty(name) ? null : environment(name);
            return string.IsNullOrEmpty(value) ? c.GetString(key) : value;
        }
        var tls = new TlsSettings(
            c.GetBoolean("broker.tls.enabled"),
            c.GetString("broker.tls.server-name"),
            c.GetString("broker.tls.client-certificate"),
            environment(c.GetString("broker.tls.client-certificate-password-env")) ?? "");
        var broker = new BrokerSettings(
            c.GetString("broker.host"),
            c.GetInt("broker.port"),
            c.GetString("broker.virtual-host"),
            FromEnv("broker.username", "broker.username-env"),
            FromEnv("broker.password", "broker.password-env"),
            c.GetTimeSpan("broker.connection-timeout"),
            c.GetTimeSpan("broker.requested-heartbeat"),
            tls);
        var hostname = c.GetString("hostname");
        var settings = new ClusterSettings
        {
            Hostname = string.IsNullOrWhiteSpace(hostname) ? Environment.MachineName.ToLowerInvariant() : hostname,
            Roles = c.GetStringList("roles"),
            Broker = broker,
            HeartbeatInterval = c.GetTimeSpan("heartbeat-interval"),
            UnreachableAfter = c.GetTimeSpan("unreachable-after"),
            RemovedAfter = c.GetTimeSpan("removed-after"),
            MaxMessageSize = checked((int)c.GetByteSize("max-message-size")),
            ChunkSize = checked((int)c.GetByteSize("weights.chunk-size")),
            WeightsSharedDir = c.GetString("weights.shared-dir"),
            MinBackoff = c.GetTimeSpan("reconnect.min-backoff"),
            MaxBackoff = c.GetTimeSpan("reconnect.max-backoff"),
            RolePrefetch = checked((ushort)c.GetInt("prefetch.role")),
            NodePrefetch = checked((ushort)c.GetInt("prefetch.node")),
            NodeAckBatch = c.GetInt("node-ack.batch"),
            NodeAckDelay = c.GetTimeSpan("node-ack.delay"),
            NodeQueueExpires = c.GetTimeSpan("node-queue-expires"),
            DuplicateWindow = c.GetInt("duplicate-window"),
        };
        return settings.Validate();
    }

    /// <summary>Checks ranges and the broker credentials.</summary>
    /// <exception cref="ClusterConfigurationException">A value is out of range or the credentials are unsafe.</exception>
    public ClusterSettings Validate()
    {
        Broker.Validate();
        if (ChunkSize <= 0 || ChunkSize > MaxMessageSize - Frame.MaxOverhead)
            throw new ClusterConfigurationException(
                $"akka.cluster.weights.chunk-size ({ChunkSize} bytes) must be positive and leave {Frame.MaxOverhead} bytes of headroom below max-message-size ({MaxMessageSize} bytes).");
        if (UnreachableAfter <= HeartbeatInterval)
            throw new ClusterConfigurationException("akka.cluster.unreachable-after must be longer than heartbeat-interval.");
        if (RemovedAfter < UnreachableAfter)
            throw new ClusterConfigurationException("akka.cluster.removed-after must not be shorter than unreachable-after.");
        if (RolePrefetch == 0 || NodePrefetch == 0)
            throw new ClusterConfigurationException("akka.cluster.prefetch values must be at least 1.");
        if (DuplicateWindow < NodePrefetch)
            throw new ClusterConfigurationException(
                $"akka.cluster.duplicate-window ({DuplicateWindow}) must be at least prefetch.node ({NodePrefetch}): messages handled but not yet acknowledged come again after a reconnect and must still be recognized.");
        if (NodeAckBatch < 1 || NodeAckBatch > NodePrefetch)
            throw new ClusterConfigurationException(
                $"akka.cluster.node-ack.batch ({NodeAckBatch}) must be between 1 and prefetch.node ({NodePrefetch}): the broker sends no more than prefetch.node unacknowledged messages.");
        if (NodeAckDelay < TimeSpan.Zero || NodeAckDelay > TimeSpan.FromSeconds(10))
            throw new ClusterConfigurationException($"akka.cluster.node-ack.delay ({NodeAckDelay.TotalMilliseconds} ms) must be between 0 and 10s.");
        foreach (var role in Roles) Topology.CheckName(role, "role");
        Topology.CheckName(Hostname, "hostname");
        return this;
    }
}
