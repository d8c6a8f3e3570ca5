using AkkaRlhf.Runtime;

namespace AkkaRlhf.Cluster;

/// <summary>
/// Sends to a role rather than to one actor. As a router (<see cref="ClusterNode.RoleRouter"/>) it
/// publishes work to the role's durable queue, where the nodes that serve the role compete for it
/// (load balancing; redelivered if the node that took it dies before replying). As a broadcast
/// (<see cref="ClusterNode.RoleBroadcast"/>) it sends a copy to every node that serves the role.
/// Its path is <c>akka.amqp://system@role:0/role/NAME</c> (or <c>/broadcast/NAME</c>); inside a message body it
/// resolves to a role reference on the receiving node. The runtime's <c>Ask</c> works with a router (the first reply answers).
/// </summary>
public sealed class RoleActorRef : IRemoteActorRef
{
    private readonly ClusterNode _node;

    internal RoleActorRef(ClusterNode node, string role, bool broadcast)
    {
        _node = node;
        Role = role;
        IsBroadcast = broadcast;
        Path = ActorPath.Root(new Address(ClusterNode.Protocol, node.System.Name, "role", 0)) / (broadcast ? "broadcast" : "role") / role;
    }

    /// <summary>The role.</summary>
    public string Role { get; }

    /// <summary>True for a broadcast to all nodes of the role; false for a work router.</summary>
    public bool IsBroadcast { get; }

    /// <inheritdoc />
    public ActorPath Path { get; }

    /// <summary>The local system that sends through this reference.</summary>
    public ActorSystem System => _node.System;

    /// <inheritdoc />
    public void Tell(object message, IActorRef? sender) => _ = Send(message, sender);

    /// <summary>Sends and returns the task that completes when the broker has confirmed the message.</summary>
    public Task Send(object message, IActorRef? sender = null) => IsBroadcast
        ? _node.Publish(Topology.BroadcastExchange, Topology.BroadcastKey(Role), ControlMessages.RolePrefix + Role, message, sender, null)
        : _node.Publish("", Topology.RoleQueue(Role), ControlMessages.RolePrefix + Role, message, sender, null, declareQueue: Topology.RoleQueue(Role));

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is RoleActorRef other && other.Path.Equals(Path);

    /// <inheritdoc />
    public override int GetHashCode() => Path.GetHashCode();

    /// <inheritdoc />
    public override string ToString() => $"[{Path}]";
}
