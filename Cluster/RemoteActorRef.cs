using AkkaRlhf.Runtime;

namespace AkkaRlhf.Cluster;

/// <summary>
/// A reference to an actor on another node. Tell serializes the message with the system's allow-list
/// (a type that is not registered fails at the Tell with a clear error) and publishes it, persistent
/// and confirmed, to the node's queue. Equal paths, equal references. The runtime's <c>Ask</c> works with it
/// (the reply comes back through this node's queue to the ask's temporary reference).
/// </summary>
public sealed class RemoteActorRef : IRemoteActorRef
{
    private readonly ClusterNode _node;

    internal RemoteActorRef(ClusterNode node, ActorPath path)
    {
        _node = node;
        Path = path;
    }

    /// <inheritdoc />
    public ActorPath Path { get; }

    /// <summary>The local system that sends through this reference.</summary>
    public ActorSystem System => _node.System;

    /// <inheritdoc />
    public void Tell(object message, IActorRef? sender) => _ = Send(message, sender, messageId: null);

    /// <summary>Sends and returns the task that completes when the broker has confirmed the message.</summary>
    internal Task Send(object message, IActorRef? sender, string? messageId) =>
        _node.Publish("", Topology.NodeQueue(Path.Address), Path.ToStringWithoutAddress(), message, sender, messageId);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is RemoteActorRef other && other.Path.Equals(Path);

    /// <inheritdoc />
    public override int GetHashCode() => Path.GetHashCode();

    /// <inheritdoc />
    public override string ToString() => $"[{Path}]";
}
