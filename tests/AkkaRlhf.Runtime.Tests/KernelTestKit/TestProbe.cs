using AkkaRlhf.Runtime;

namespace AkkaRlhf.TestKit;

/// <summary>An extra test actor with its own queue and expectations; pass <see cref="Ref"/> to actors.</summary>
public sealed class TestProbe : TestKitBase
{
    internal TestProbe(ActorSystem system, string? name) : base(system, name is null ? null : "probe-" + name) { }

    /// <summary>The probe's actor reference.</summary>
    public IActorRef Ref => TestActor;

    /// <summary>Tells <paramref name="message"/> to <paramref name="target"/> with this probe as sender.</summary>
    public void Send(IActorRef target, object message) => target.Tell(message, Ref);

    /// <summary>Answers the last received message's sender.</summary>
    public void Reply(object message) => LastSender.Tell(message, Ref);

    /// <summary>Forwards <paramref name="message"/> to <paramref name="target"/> keeping the last sender.</summary>
    public void Forward(IActorRef target, object message) => target.Tell(message, LastSender);

    /// <inheritdoc />
    public override string ToString() => $"TestProbe({Ref.Path})";
}
