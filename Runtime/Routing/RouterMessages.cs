namespace AkkaRlhf.Runtime.Routing;

/// <summary>Sent to any router: delivers <paramref name="Message"/> to every routee.</summary>
public sealed record Broadcast(object Message) : INoSerializationVerificationNeeded;

/// <summary>Ask a router for its current routees; it answers <see cref="Routees"/>.</summary>
public sealed record GetRoutees : INoSerializationVerificationNeeded
{
    /// <summary>The single instance.</summary>
    public static GetRoutees Instance { get; } = new();
}

/// <summary>The answer to <see cref="GetRoutees"/>.</summary>
public sealed record Routees(IReadOnlyList<IActorRef> Members) : INoSerializationVerificationNeeded;
