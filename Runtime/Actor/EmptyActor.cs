namespace AkkaRlhf.Runtime;

/// <summary>An actor that handles every message by ignoring it (see <see cref="Props.Empty"/>).</summary>
public sealed class EmptyActor : ActorBase
{
    /// <inheritdoc />
    protected internal override bool Receive(object message) => true;
}
