namespace AkkaRlhf.Runtime.Serialization;

/// <summary>
/// A network layer (the cluster's RabbitMQ transport): it owns a non-local <see cref="Address"/> and carries
/// <see cref="SerializedMessage"/>s between systems. Its remote references (<see cref="IRemoteActorRef"/>) serialize
/// with <see cref="MessageSerialization"/> and send; on arrival it deserializes and tells the local actor found by
/// <see cref="ActorSystem.ResolveActorRef(ActorPath)"/>. It registers an <see cref="IRemoteActorRefProvider"/> so
/// references inside messages carry its address and resolve to its remote references.
/// </summary>
public interface ITransport
{
    /// <summary>The address this transport listens on.</summary>
    Address LocalAddress { get; }

    /// <summary>Sends <paramref name="message"/> to <paramref name="recipient"/> (fire-and-forget, at most once).</summary>
    void Send(ActorPath recipient, SerializedMessage message, ActorPath? sender);
}
