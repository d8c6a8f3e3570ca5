using System.Linq.Expressions;
using AkkaRlhf.Runtime.Routing;

namespace AkkaRlhf.Runtime;

/// <summary>
/// An immutable recipe for an actor: how to create it, plus optional router, dispatcher, mailbox
/// and supervisor strategy (the one the actor applies to its own children).
/// </summary>
public sealed record Props
{
    private Props(Func<ActorBase> factory, Type actorType)
    {
        Factory = factory;
        ActorType = actorType;
    }

    /// <summary>Props for an actor created by <paramref name="factory"/>, e.g. <c>Props.Create(() => new Worker(id))</c>.</summary>
    public static Props Create<TActor>(Expression<Func<TActor>> factory) where TActor : ActorBase
    {
        ArgumentNullException.ThrowIfNull(factory);
        var compiled = factory.Compile();
        return new Props(() => compiled(), typeof(TActor));
    }

    /// <summary>Props for an actor with a parameterless constructor.</summary>
    public static Props Create<TActor>() where TActor : ActorBase, new() => new(() => new TActor(), typeof(TActor));

    /// <summary>Props from a plain delegate (no expression tree); handy when the factory captures state.</summary>
    public static Props CreateBy<TActor>(Func<TActor> factory) where TActor : ActorBase
    {
        ArgumentNullException.ThrowIfNull(factory);
        return new Props(factory, typeof(TActor));
    }

    /// <summary>Props of an actor that ignores everything; the usual base of a group router: <c>Props.Empty.WithRouter(group)</c>.</summary>
    public static Props Empty { get; } = Create<EmptyActor>();

    /// <summary>The actor class.</summary>
    public Type ActorType { get; }

    /// <summary>Creates a fresh instance (at start and at each restart).</summary>
    internal Func<ActorBase> Factory { get; }

    /// <summary>The router, or null for a plain actor.</summary>
    public RouterConfig? RouterConfig { get; private init; }

    /// <summary>The dispatcher name (only <c>default-dispatcher</c> exists today; the name is kept for configuration).</summary>
    public string Dispatcher { get; private init; } = "default-dispatcher";

    /// <summary>The mailbox name (only the default unbounded mailbox exists today).</summary>
    public string Mailbox { get; private init; } = "default-mailbox";

    /// <summary>Overrides the actor's own <c>SupervisorStrategy()</c> for its children.</summary>
    public SupervisorStrategy? SupervisorStrategy { get; private init; }

    /// <summary>A copy that creates a router whose routees are created from this props.</summary>
    public Props WithRouter(RouterConfig router) => this with { RouterConfig = router };

    /// <summary>A copy with another dispatcher name.</summary>
    public Props WithDispatcher(string dispatcher) => this with { Dispatcher = dispatcher };

    /// <summary>A copy with another mailbox name.</summary>
    public Props WithMailbox(string mailbox) => this with { Mailbox = mailbox };

    /// <summary>A copy whose actor supervises its children with <paramref name="strategy"/>.</summary>
    public Props WithSupervisorStrategy(SupervisorStrategy strategy) => this with { SupervisorStrategy = strategy };

    internal Props WithoutRouter() => this with { RouterConfig = null };

    internal ActorBase NewActor() => RouterConfig is { } router ? new RouterActor(router, WithoutRouter()) : Factory();
}
