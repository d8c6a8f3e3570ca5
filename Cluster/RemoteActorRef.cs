using AkkaRlhf.Runtime;

namespace AkkaRlhf.Cluster;

/// <summary>
/// A reference to an actor on another node. Tell serializes the message with the system's allow-list
/// (a type that is not registered fails at the Tell with a clear error) and publishes it, persistent
/// and confirmed, to the node's queue. Equal paths, equal references.
/// </summary>
public sealed class RemoteActorRef : IActorRef
{
    private readonly ClusterNode _node;

    internal RemoteActorRef(ClusterNode node, ActorPath path)
    {
        _node = node;
        Path = path;
    }

    /// <inheritdoc />
    public ActorPath Path { get; }

    /// <inheritdoc />
    public void Tell(object message, IActorRef? sender) => _ = Send(message, sender, messageId: null);

    /// <summary>
    /// Ask across nodes. The runtime's <c>Ask</c> extension only takes kernel references today, so this
    /// asks through a local forwarder: the temporary reply actor becomes the sender and the reply comes
    /// back through this node's queue. Call it on a variable typed <see cref="RemoteActorRef"/>.
    /// </summary>
    public Task<T> Ask<T>(object message, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        _node.Forwarder.Ask<T>(new RemoteForwarder.Forward(this, message), timeout, cancellationToken);

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
