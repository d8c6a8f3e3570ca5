using AkkaRlhf.Runtime.Dispatch;

namespace AkkaRlhf.Runtime;

/// <summary>A reference to an actor of this process: Tell enqueues into its mailbox.</summary>
internal sealed class LocalActorRef(ActorCell cell, ActorPath path) : InternalActorRef(cell.System, path)
{
    public ActorCell Cell { get; } = cell;

    public override bool IsTerminated => Cell.IsTerminated;

    public override void Tell(object message, IActorRef? sender)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (System.SerializeMessages) message = System.Serialization.VerifyRoundTrip(message, this);
        Cell.Mailbox.Post(new Envelope(message, sender ?? System.DeadLetters));
    }

    public override void SendSystemMessage(SystemMessage message) => Cell.Mailbox.PostSystem(message);
}
