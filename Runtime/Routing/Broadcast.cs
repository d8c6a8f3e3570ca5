namespace AkkaRlhf.Runtime.Routing;

/// <summary>Each message goes to every routee.</summary>
public sealed class BroadcastRoutingLogic : RoutingLogic
{
    /// <inheritdoc />
    public override IEnumerable<IActorRef> Select(object message, IReadOnlyList<IActorRef> routees) => routees;
}

/// <summary>A broadcast pool of <c>nrOfInstances</c> children.</summary>
public sealed class BroadcastPool(int nrOfInstances) : Pool(nrOfInstances)
{
    /// <inheritdoc />
    public override RoutingLogic CreateRoutingLogic() => new BroadcastRoutingLogic();
}

/// <summary>A broadcast group over existing actors.</summary>
public sealed class BroadcastGroup : Group
{
    /// <summary>Routees by path.</summary>
    public BroadcastGroup(params string[] paths) : base(paths) { }

    /// <summary>Routees by reference.</summary>
    public BroadcastGroup(IEnumerable<IActorRef> routees) : base(routees) { }

    /// <inheritdoc />
    public override RoutingLogic CreateRoutingLogic() => new BroadcastRoutingLogic();
}
