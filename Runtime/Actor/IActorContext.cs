using AkkaRlhf.Runtime.Event;

namespace AkkaRlhf.Runtime;

/// <summary>A behavior: returns true when it handled the message.</summary>
public delegate bool Receive(object message);

/// <summary>
/// What an actor sees of itself and its surroundings while it processes a message. Use it only from
/// the actor's own handlers (including the continuations of its async handlers).
/// </summary>
public interface IActorContext
{
    /// <summary>This actor.</summary>
    IActorRef Self { get; }

    /// <summary>The sender of the current message (DeadLetters when there was none).</summary>
    IActorRef Sender { get; }

    /// <summary>The supervisor of this actor.</summary>
    IActorRef Parent { get; }

    /// <summary>The system this actor belongs to.</summary>
    ActorSystem System { get; }

    /// <summary>The props this actor was created from.</summary>
    Props Props { get; }

    /// <summary>The children of this actor that have not stopped yet.</summary>
    IEnumerable<IActorRef> Children { get; }

    /// <summary>The receive timeout currently set, if any.</summary>
    TimeSpan? ReceiveTimeout { get; }

    /// <summary>Creates a child actor; <paramref name="name"/> must be unique among the living children.</summary>
    IActorRef ActorOf(Props props, string? name = null);

    /// <summary>The child named <paramref name="name"/>, or null.</summary>
    IActorRef? Child(string name);

    /// <summary>Stops a child (or Self) asynchronously: its children stop first, then its PostStop runs.</summary>
    void Stop(IActorRef actor);

    /// <summary>Delivers <see cref="Terminated"/> once when <paramref name="subject"/> stops (at once if it already has).</summary>
    IActorRef Watch(IActorRef subject);

    /// <summary>Cancels a watch; a Terminated already queued is then dropped.</summary>
    IActorRef Unwatch(IActorRef subject);

    /// <summary>Sends <see cref="Runtime.ReceiveTimeout"/> after <paramref name="timeout"/> without messages; null cancels.</summary>
    void SetReceiveTimeout(TimeSpan? timeout);

    /// <summary>Replaces the current behavior.</summary>
    void Become(Receive receive);

    /// <summary>Pushes a behavior; <see cref="UnbecomeStacked"/> pops it.</summary>
    void BecomeStacked(Receive receive);

    /// <summary>Returns to the previous behavior.</summary>
    void UnbecomeStacked();

    /// <summary>A logger whose source is this actor's path.</summary>
    ILoggingAdapter GetLogger();
}
