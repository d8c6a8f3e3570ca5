using AkkaRlhf.Runtime.Dispatch;

namespace AkkaRlhf.Runtime.Event;

/// <summary>A subscriber that writes log events straight to standard output (no mailbox).</summary>
internal sealed class StandardOutLogger(ActorSystem system) : InternalActorRef(system, system.RootPath / "StandardOutLogger")
{
    public override bool IsTerminated => false;

    public override void Tell(object message, IActorRef? sender)
    {
        if (message is LogEvent e) Console.WriteLine(e.ToString());
    }

    public override void SendSystemMessage(SystemMessage message) { }
}
