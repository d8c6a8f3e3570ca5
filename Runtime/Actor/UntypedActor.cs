namespace AkkaRlhf.Runtime;

/// <summary>An actor with a single <see cref="OnReceive"/> method; call <c>Unhandled(message)</c> for what it does not handle.</summary>
public abstract class UntypedActor : ActorBase
{
    /// <summary>Processes one message.</summary>
    protected abstract void OnReceive(object message);

    /// <inheritdoc />
    protected internal sealed override bool Receive(object message)
    {
        OnReceive(message);
        return true;
    }
}
