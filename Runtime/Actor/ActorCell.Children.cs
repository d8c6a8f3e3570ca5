using System.Collections.Concurrent;
using AkkaRlhf.Runtime.Dispatch;

namespace AkkaRlhf.Runtime;

internal sealed partial class ActorCell
{
    private readonly ConcurrentDictionary<string, LocalActorRef> _children = new(StringComparer.Ordinal);
    private readonly HashSet<InternalActorRef> _stoppingChildren = [];
    private long _nextChildId;

    public IEnumerable<IActorRef> Children => _children.Values;

    internal bool TryGetChild(string name, out LocalActorRef child) => _children.TryGetValue(name, out child!);

    public IActorRef ActorOf(Props props, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(props);
        name ??= "$" + Base64Name(Interlocked.Increment(ref _nextChildId));
        if (name.Length == 0 || name.Contains('/') || name.Contains('#') || name.Contains(' '))
            throw new InvalidActorNameException($"Invalid actor name [{name}]: it must be non-empty without '/', '#' or spaces.");
        var cell = new ActorCell(System, Self.Path / name, props, this);
        if (!_children.TryAdd(name, cell.Self))
            throw new InvalidActorNameException($"Actor name [{name}] is not unique under {Self.Path}.");
        cell.Start();
        return cell.Self;
    }

    public IActorRef? Child(string name) => _children.TryGetValue(name, out var child) ? child : null;

    public void Stop(IActorRef actor)
    {
        if (actor is not InternalActorRef target) return;
        if (target is LocalActorRef local && local.Cell._parent == this && _children.ContainsKey(local.Path.Name))
            _stoppingChildren.Add(target);
        target.SendSystemMessage(new Terminate());
    }

    private static string Base64Name(long id)
    {
        const string chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+~";
        var buffer = new System.Text.StringBuilder();
        do
        {
            buffer.Append(chars[(int)(id & 63)]);
            id >>= 6;
        } while (id != 0);
        return buffer.ToString();
    }
}
