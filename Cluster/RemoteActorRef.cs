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
    private readonly string? _text;
    private readonly string _nodeQueue;
    private readonly string _recipient;
    private ActorPath? _path;

    internal RemoteActorRef(ClusterNode node, ActorPath path)
    {
        _node = node;
        _path = path;
        _nodeQueue = Topology.NodeQueue(path.Address);
        _recipient = path.ToStringWithoutAddress();
    }

    /// <summary>A reference read from a frame: <paramref name="text"/> is a full path at <paramref name="address"/> whose
    /// elements are <paramref name="recipient"/> as parsing would give them; it is parsed only when <see cref="Path"/> is read.</summary>
    internal RemoteActorRef(ClusterNode node, string text, RemoteAddress address, string recipient)
    {
        _node = node;
        _text = text;
        _nodeQueue = address.NodeQueue;
        _recipient = recipient;
    }

    /// <inheritdoc />
    public ActorPath Path => Volatile.Read(ref _path) ?? (_path = ActorPath.Parse(_text!));

    /// <summary>The local system that sends through this reference.</summary>
    public ActorSystem System => _node.System;

    /// <inheritdoc />
    public void Tell(object message, IActorRef? sender) => _ = Send(message, sender, messageId: null);

    /// <summary>Sends and returns the task that completes when the broker has confirmed the message.</summary>
    internal Task Send(object message, IActorRef? sender, string? messageId) =>
        _node.Publish("", _nodeQueue, _recipient, message, sender, messageId);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is RemoteActorRef other && other.Path.Equals(Path);

    /// <inheritdoc />
    public override int GetHashCode() => Path.GetHashCode();

    /// <inheritdoc />
    public override string ToString() => $"[{Path}]";
}

/// <summary>Another node's address and its queue.</summary>
internal sealed record RemoteAddress(Address Address, string NodeQueue);
