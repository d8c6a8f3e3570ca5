namespace AkkaRlhf.Runtime;

/// <summary>
/// The seam a transport (the cluster) installs on an <see cref="ActorSystem"/> so references can cross
/// systems (Akka's <c>IActorRefProvider</c>, reduced to what a transport needs). Register it with
/// <see cref="ActorSystem.RegisterRemoteActorRefProvider"/>. With one installed:
/// <list type="bullet">
/// <item>a local reference serialized inside a message is written with the transport's address
/// (<see cref="ExternalPathOf"/>: <c>protocol://system@host:port/user/a</c>), so another system can reach it;</item>
/// <item><see cref="ActorSystem.ResolveActorRef(ActorPath)"/> hands every path whose address is not the local
/// one (<c>akka://system</c>) to <see cref="ResolveActorRef"/>: the provider answers a local reference for its own
/// address and its remote reference for another system's.</item>
/// </list>
/// </summary>
public interface IRemoteActorRefProvider
{
    /// <summary>The address other systems reach this one at (e.g. <c>akka.amqp://system@host:uid</c>).</summary>
    Address Address { get; }

    /// <summary>The full path other systems use to reach <paramref name="localActor"/> (a reference of this system).</summary>
    ActorPath ExternalPathOf(IActorRef localActor);

    /// <summary>
    /// The reference for <paramref name="path"/> (whose address is not <c>akka://system</c>): a local one for the
    /// provider's own <see cref="Address"/>, a remote one (an <see cref="IRemoteActorRef"/>) for another system,
    /// or null when the provider does not know the address (the path then resolves to dead letters).
    /// </summary>
    IActorRef? ResolveActorRef(ActorPath path);
}

/// <summary>
/// A reference made by a transport for an actor of another system. It knows the local system that sends
/// through it, so <see cref="Futures.Ask"/> can make its temporary reply reference there.
/// </summary>
public interface IRemoteActorRef : IActorRef
{
    /// <summary>The local system this reference sends from.</summary>
    ActorSystem System { get; }
}
