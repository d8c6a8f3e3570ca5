namespace AkkaRlhf.Runtime;

/// <summary>Messages that are exempt from serialize-messages verification (local-only or kernel messages).</summary>
public interface INoSerializationVerificationNeeded;

/// <summary>Messages that do not reset an actor's receive timeout.</summary>
public interface INotInfluenceReceiveTimeout;

/// <summary>Messages the kernel handles before the actor's behavior sees them.</summary>
public interface IAutoReceivedMessage;

/// <summary>Stops the receiving actor once the messages queued before it have been processed.</summary>
public sealed class PoisonPill : IAutoReceivedMessage
{
    private PoisonPill() { }

    /// <summary>The single instance.</summary>
    public static PoisonPill Instance { get; } = new();
}

/// <summary>Makes the receiving actor throw <see cref="ActorKilledException"/> (its supervisor decides; by default it stops).</summary>
public sealed class Kill : IAutoReceivedMessage
{
    private Kill() { }

    /// <summary>The single instance.</summary>
    public static Kill Instance { get; } = new();
}

/// <summary>Asks any actor for its reference; it answers <see cref="ActorIdentity"/> (Subject null when it is gone).</summary>
public sealed record Identify(object? MessageId) : IAutoReceivedMessage;

/// <summary>The answer to <see cref="Identify"/>.</summary>
/// <remarks>Kernel message: exempt from serialize-messages verification (the transport will carry it specially).</remarks>
public sealed record ActorIdentity(object? MessageId, IActorRef? Subject) : INoSerializationVerificationNeeded;

/// <summary>Sent to a watcher when a watched actor has stopped; delivered exactly once per watcher.</summary>
public sealed record Terminated(IActorRef ActorRef) : INoSerializationVerificationNeeded;

/// <summary>Sent to an actor that received nothing for its receive timeout (see <c>Context.SetReceiveTimeout</c>).</summary>
public sealed class ReceiveTimeout : INotInfluenceReceiveTimeout, INoSerializationVerificationNeeded
{
    private ReceiveTimeout() { }

    /// <summary>The single instance.</summary>
    public static ReceiveTimeout Instance { get; } = new();
}

/// <summary>Success and failure replies, as produced by <c>PipeTo</c>; an <c>Ask</c> that receives a Failure throws its cause.</summary>
public static class Status
{
    /// <summary>A successful completion carrying <paramref name="Status"/>.</summary>
    public sealed record Success(object? Status);

    /// <summary>A failure carrying its <paramref name="Cause"/>.</summary>
    public sealed record Failure(Exception Cause) : INoSerializationVerificationNeeded;
}
