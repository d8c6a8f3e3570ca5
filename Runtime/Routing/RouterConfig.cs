namespace AkkaRlhf.Runtime.Routing;

/// <summary>
/// How a router actor picks routees. Routing happens in the router's mailbox, so per-sender
/// ordering holds for each routee; the original sender is kept.
/// </summary>
public abstract class RouterConfig
{
    /// <summary>Creates the (stateful) logic of one router instance.</summary>
    public abstract RoutingLogic CreateRoutingLogic();
}

/// <summary>A router that creates <see cref="NrOfInstances"/> routees as its children and supervises them.</summary>
public abstract class Pool : RouterConfig
{
    /// <summary>Creates a pool of <paramref name="nrOfInstances"/> routees.</summary>
    protected Pool(int nrOfInstances)
    {
        if (nrOfInstances <= 0) throw new ArgumentOutOfRangeException(nameof(nrOfInstances), "A pool needs at least one routee.");
        NrOfInstances = nrOfInstances;
    }

    /// <summary>How many routees to create.</summary>
    public int NrOfInstances { get; }

    /// <summary>How the router supervises its routees; by default a failing routee restarts (the others are untouched).</summary>
    public SupervisorStrategy SupervisorStrategy { get; private set; } = SupervisorStrategy.DefaultStrategy;

    /// <summary>Sets the routees' supervisor strategy (returns this pool).</summary>
    public Pool WithSupervisorStrategy(SupervisorStrategy strategy)
    {
        SupervisorStrategy = strategy ?? throw new ArgumentNullException(nameof(strategy));
        return this;
    }
}

/// <summary>A router over existing actors, given by path (resolved when the router starts) or by reference.</summary>
public abstract class Group : RouterConfig
{
    /// <summary>Routees by path, e.g. <c>/user/worker1</c>.</summary>
    protected Group(IEnumerable<string> paths) => Paths = paths.ToArray();

    /// <summary>Routees by reference.</summary>
    protected Group(IEnumerable<IActorRef> routees)
    {
        Routees = routees.ToArray();
        Paths = [];
    }

    /// <summary>The routee paths.</summary>
    public IReadOnlyList<string> Paths { get; }

    /// <summary>The routee references, when given directly.</summary>
    public IReadOnlyList<IActorRef> Routees { get; } = [];
}

/// <summary>Selects the routees for one message.</summary>
public abstract class RoutingLogic
{
    /// <summary>The routees <paramref name="message"/> goes to (usually one).</summary>
    public abstract IEnumerable<IActorRef> Select(object message, IReadOnlyList<IActorRef> routees);
}
