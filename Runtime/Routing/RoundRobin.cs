namespace AkkaRlhf.Runtime.Routing;

/// <summary>Each message goes to the next routee in turn.</summary>
public sealed class RoundRobinRoutingLogic : RoutingLogic
{
    private long _next = -1;

    /// <inheritdoc />
    public override IEnumerable<IActorRef> Select(object message, IReadOnlyList<IActorRef> routees)
    {
        if (routees.Count == 0) return [];
        var index = (int)((ulong)Interlocked.Increment(ref _next) % (ulong)routees.Count);
        return [routees[index]];
    }
}

/// <summary>A round-robin pool of <c>nrOfInstances</c> children.</summary>
public sealed class RoundRobinPool(int nrOfInstances) : Pool(nrOfInstances)
{
    /// <inheritdoc />
    public override RoutingLogic CreateRoutingLogic() => new RoundRobinRoutingLogic();
}

/// <summary>A round-robin group over existing actors.</summary>
public sealed class RoundRobinGroup : Group
{
    /// <summary>Routees by path.</summary>
    public RoundRobinGroup(params string[] paths) : base(paths) { }

    /// <summary>Routees by reference.</summary>
    public RoundRobinGroup(IEnumerable<IActorRef> routees) : base(routees) { }

    /// <inheritdoc />
    public override RoutingLogic CreateRoutingLogic() => new RoundRobinRoutingLogic();
}
