namespace AkkaRlhf.Runtime.Serialization;

/// <summary>
/// The seam for the network layer (a later issue, not built yet): a transport owns a non-local
/// <see cref="Address"/> and carries <see cref="SerializedMessage"/>s between systems. A remote
/// actor reference will be an <see cref="IActorRef"/> whose Tell serializes with
/// <see cref="MessageSerialization"/> and calls <see cref="Send"/>; on arrival the transport
/// deserializes and tells the local actor found by <see cref="ActorSystem.ResolveActorRef(ActorPath)"/>.
/// </summary>
public interface ITransport
{
    /// <summary>The address this transport listens on.</summary>
    Address LocalAddress { get; }

    /// <summary>Sends <paramref name="message"/> to <paramref name="recipient"/> (fire-and-forget, at most once).</summary>
    void Send(ActorPath recipient, SerializedMessage message, ActorPath? sender);
}
