namespace AkkaRlhf.Runtime;

/// <summary>Base class of the kernel's exceptions.</summary>
public class AkkaException : Exception
{
    /// <summary>Creates the exception.</summary>
    public AkkaException(string message, Exception? cause = null) : base(message, cause) { }
}

/// <summary>Thrown inside an actor that received <see cref="Kill"/>.</summary>
public sealed class ActorKilledException(string message) : AkkaException(message);

/// <summary>An actor failed while being created (constructor or PreStart); the default strategy stops it.</summary>
public sealed class ActorInitializationException(IActorRef actor, string message, Exception cause)
    : AkkaException(message, cause)
{
    /// <summary>The actor that failed to start.</summary>
    public IActorRef Actor { get; } = actor;
}

/// <summary>An actor received <see cref="Terminated"/> for a watched actor and did not handle it.</summary>
public sealed class DeathPactException(IActorRef deadActor)
    : AkkaException($"Monitored actor {deadActor.Path} terminated and the Terminated message was not handled.")
{
    /// <summary>The actor that died.</summary>
    public IActorRef DeadActor { get; } = deadActor;
}

/// <summary>An <c>Ask</c> got no reply in time.</summary>
public sealed class AskTimeoutException(string message) : AkkaException(message);

/// <summary>A child name is taken or invalid.</summary>
public sealed class InvalidActorNameException(string message) : AkkaException(message);
