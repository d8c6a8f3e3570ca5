using System.Text.RegularExpressions;

namespace AkkaRlhf.Cluster;

/// <summary>Names of the exchanges and queues the cluster declares on the broker.</summary>
internal static partial class Topology
{
    /// <summary>Fanout exchange every node publishes its heartbeats to.</summary>
    public const string HeartbeatExchange = "akka-rlhf.heartbeat";

    /// <summary>Direct exchange for broadcasts to a role (routing key: <see cref="BroadcastKey"/>).</summary>
    public const string BroadcastExchange = "akka-rlhf.broadcast";

    /// <summary>Durable work queue of a role, shared by all nodes that serve it (competing consumers).</summary>
    public static string RoleQueue(string role) => "akka-rlhf.role." + role;

    /// <summary>Durable queue of one node: replies, direct messages and broadcasts.</summary>
    public static string NodeQueue(Runtime.Address address) => $"akka-rlhf.node.{address.System}@{address.Host}:{address.Port}";

    /// <summary>Routing key of broadcasts to <paramref name="role"/>.</summary>
    public static string BroadcastKey(string role) => "role." + role;

    /// <summary>True when <paramref name="name"/> can be part of a queue name.</summary>
    public static bool IsValidName(string name) => ValidName().IsMatch(name);

    /// <summary>Throws when <paramref name="name"/> cannot be part of a queue name.</summary>
    public static void CheckName(string name, string what)
    {
        if (!IsValidName(name))
            throw new ClusterConfigurationException($"The {what} '{name}' is invalid: use letters, digits, '-', '_' and '.' (at most 100).");
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")]
    private static partial Regex ValidName();
}
