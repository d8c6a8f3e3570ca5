namespace AkkaRlhf.Runtime;

public sealed partial class ActorSystem
{
    /// <summary>
    /// The reference for <paramref name="path"/>: the living local actor there, DeadLetters for
    /// <c>/deadLetters</c>, otherwise a reference that routes to dead letters. Non-local addresses
    /// will be handed to the transport (a later issue); today they also resolve to dead letters.
    /// </summary>
    public IActorRef ResolveActorRef(ActorPath path)
    {
        if (!path.Address.Equals(Address)) return new EmptyLocalActorRef(this, path);
        var elements = path.Elements;
        if (elements.Count == 1 && elements[0] == "deadLetters") return DeadLetterRef;
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
