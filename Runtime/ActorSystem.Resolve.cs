using System.Collections.Concurrent;

namespace AkkaRlhf.Runtime;

public sealed partial class ActorSystem
{
    private readonly ConcurrentDictionary<string, InternalActorRef> _temp = new(StringComparer.Ordinal);
    private IRemoteActorRefProvider? _remoteProvider;

    /// <summary>The transport's provider, when one is registered (<see cref="RegisterRemoteActorRefProvider"/>).</summary>
    public IRemoteActorRefProvider? RemoteActorRefProvider => Volatile.Read(ref _remoteProvider);

    /// <summary>
    /// Installs the transport's reference provider: from now on references serialized in messages carry its
    /// address and non-local paths resolve through it. One per system.
    /// </summary>
    /// <exception cref="InvalidOperationException">Another provider is registered.</exception>
    public void RegisterRemoteActorRefProvider(IRemoteActorRefProvider provider)
    {
        ArgumentNullException.ThrowIfNull(provider);
        var existing = Interlocked.CompareExchange(ref _remoteProvider, provider, null);
        if (existing is not null && !ReferenceEquals(existing, provider))
            throw new InvalidOperationException($"{this} already has a remote actor reference provider ({existing.Address}).");
    }

    /// <summary>Removes <paramref name="provider"/> if it is the registered one (the transport shut down).</summary>
    public void UnregisterRemoteActorRefProvider(IRemoteActorRefProvider provider) =>
        Interlocked.CompareExchange(ref _remoteProvider, null, provider);

    /// <summary>
    /// The path other systems use to reach <paramref name="actor"/>: for a reference of this system, its path with
    /// the transport's address when a provider is registered; otherwise its own path.
    /// </summary>
    public ActorPath ExternalPathOf(IActorRef actor)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var path = actor.Path;
        return path.Address.Equals(Address) && RemoteActorRefProvider is { } provider ? provider.ExternalPathOf(actor) : path;
    }

    /// <summary>
    /// The reference for <paramref name="path"/>: the living local actor there (or a pending Ask's temporary
    /// reference under <c>/temp</c>), DeadLetters for <c>/deadLetters</c>, otherwise a reference that routes to
    /// dead letters. A non-local address goes to the registered <see cref="IRemoteActorRefProvider"/> (dead letters without one).
    /// </summary>
    public IActorRef ResolveActorRef(ActorPath path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!path.Address.Equals(Address))
            return RemoteActorRefProvider?.ResolveActorRef(path) ?? new EmptyLocalActorRef(this, path);
        var elements = path.Elements;
        if (elements.Count == 1 && elements[0] == "deadLetters") return DeadLetterRef;
        if (elements.Count == 2 && elements[0] == "temp")
            return _temp.TryGetValue(elements[1], out var temp) ? temp : new EmptyLocalActorRef(this, path);
        var cell = _root;
        foreach (var name in elements)
        {
            if (!cell.TryGetChild(name, out var child)) return new EmptyLocalActorRef(this, path);
            cell = child.Cell;
        }
        return cell.Self;
    }

    /// <summary>Resolves a full path (<c>akka://sys/user/a</c>) or a local one (<c>/user/a</c>).</summary>
    public IActorRef ResolveActorRef(string path) => ResolveActorRef(ParsePath(path));

    /// <summary>A selection that resolves <paramref name="path"/> each time it is told a message.</summary>
    public ActorSelection ActorSelection(string path) => new(this, ParsePath(path));

    /// <summary>Makes a temporary reference (an Ask's reply reference) resolvable under <c>/temp/NAME</c>.</summary>
    internal void RegisterTempActor(string name, InternalActorRef actor) => _temp[name] = actor;

    internal void UnregisterTempActor(string name) => _temp.TryRemove(name, out _);

    private ActorPath ParsePath(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.StartsWith('/'))
        {
            var result = RootPath;
            foreach (var name in path.Split('/', StringSplitOptions.RemoveEmptyEntries)) result /= name;
            return result;
        }
        return ActorPath.Parse(path);
    }
}
