namespace AkkaRlhf.Runtime;

/// <summary>A path looked up when told a message (no wildcards): use it for actors you know only by path.</summary>
public sealed class ActorSelection : ICanTell
{
    internal ActorSelection(ActorSystem system, ActorPath path)
    {
        System = system;
        Path = path;
    }

    /// <summary>The selected path.</summary>
    public ActorPath Path { get; }

    internal ActorSystem System { get; }

    /// <inheritdoc />
    public void Tell(object message, IActorRef? sender) => System.ResolveActorRef(Path).Tell(message, sender);

    /// <summary>The actor at the path, or <see cref="ActorNotFoundException"/> if none answers in time.</summary>
    public async Task<IActorRef> ResolveOne(TimeSpan timeout)
    {
        var identity = await this.Ask<ActorIdentity>(new Identify(null), timeout).ConfigureAwait(false);
        return identity.Subject ?? throw new ActorNotFoundException($"No actor at {Path}.");
    }

    /// <inheritdoc />
    public override string ToString() => $"ActorSelection[{Path}]";
}

/// <summary>No actor lives at the selected path.</summary>
public sealed class ActorNotFoundException(string message) : AkkaException(message);
