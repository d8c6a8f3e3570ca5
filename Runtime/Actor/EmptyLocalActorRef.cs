using AkkaRlhf.Runtime.Dispatch;

namespace AkkaRlhf.Runtime;

/// <summary>
/// What a path that names no living actor resolves to: messages go to dead letters, Identify is
/// answered with a null subject and a watch is answered with Terminated at once.
/// </summary>
internal sealed class EmptyLocalActorRef(ActorSystem system, ActorPath path) : InternalActorRef(system, path)
{
    public override bool IsTerminated => true;

    public override void Tell(object message, IActorRef? sender)
    {
        ArgumentNullException.ThrowIfNull(message);
        System.DeadLetterRef.Deliver(message, sender ?? System.DeadLetters, this);
    }

    public override void SendSystemMessage(SystemMessage message)
    {
        if (message is Watch w && w.Watcher != this) w.Watcher.SendSystemMessage(new DeathWatchNotification(this));
    }

    public override bool Equals(object? obj) => obj is EmptyLocalActorRef other && other.Path.Equals(Path);

    public override int GetHashCode() => Path.GetHashCode();
}
