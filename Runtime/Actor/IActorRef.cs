namespace AkkaRlhf.Runtime;

/// <summary>Something a message can be told to: an actor reference or a selection.</summary>
public interface ICanTell
{
    /// <summary>Sends <paramref name="message"/> fire-and-forget; <paramref name="sender"/> becomes the receiver's <c>Sender</c>.</summary>
    void Tell(object message, IActorRef? sender);
}

/// <summary>
/// An immutable, shareable handle to an actor. Local and (later) remote actors look the same:
/// the <see cref="Path"/> carries the <see cref="Address"/>.
/// </summary>
public interface IActorRef : ICanTell
{
    /// <summary>The actor's path.</summary>
    ActorPath Path { get; }
}

/// <summary>Well-known references.</summary>
public static class ActorRefs
{
    /// <summary>Use as sender when there is none; the receiver sees DeadLetters as its Sender.</summary>
    public static readonly IActorRef? NoSender = null;
}
