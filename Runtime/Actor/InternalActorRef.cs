using AkkaRlhf.Runtime.Dispatch;

namespace AkkaRlhf.Runtime;

/// <summary>The kernel's view of a reference: it also takes system messages.</summary>
internal abstract class InternalActorRef : IActorRef
{
    private readonly ActorPath? _path;

    protected InternalActorRef(ActorSystem system, ActorPath? path)
    {
        System = system;
        _path = path;
    }

    public virtual ActorPath Path => _path!;

    public ActorSystem System { get; }

    /// <summary>True once the actor behind this reference has stopped for good.</summary>
    public abstract bool IsTerminated { get; }

    public abstract void Tell(object message, IActorRef? sender);

    /// <summary>Delivers a kernel message (watch, stop, failure, ...) ahead of user messages.</summary>
    public abstract void SendSystemMessage(SystemMessage message);

    public override string ToString() => $"[{Path}]";
}
