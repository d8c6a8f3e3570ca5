using System.Globalization;
using System.Text;

namespace AkkaRlhf.Runtime.Routing;

/// <summary>A message that names its own consistent-hash key.</summary>
public interface IConsistentHashable
{
    /// <summary>Messages with equal keys go to the same routee.</summary>
    object ConsistentHashKey { get; }
}

/// <summary>Wraps a message with a hash key; the routee receives <paramref name="Message"/> unwrapped.</summary>
public sealed record ConsistentHashableEnvelope(object Message, object HashKey) : IConsistentHashable, INoSerializationVerificationNeeded
{
    /// <inheritdoc />
    public object ConsistentHashKey => HashKey;
}

/// <summary>Maps a message to its hash key (null: not mapped).</summary>
public delegate object? ConsistentHashMapping(object message);

/// <summary>
/// Messages with the same key go to the same routee, via a hash ring with virtual nodes (stable
/// across processes: keys and routee paths are hashed from their UTF-8 text, not GetHashCode).
/// The key comes from the mapping, else <see cref="IConsistentHashable"/>; unkeyed messages go to dead letters.
/// </summary>
public sealed class ConsistentHashingRoutingLogic(ConsistentHashMapping? mapping, int virtualNodesFactor) : RoutingLogic
{
    private IReadOnlyList<IActorRef>? _ringFor;
    private (ulong Hash, IActorRef Routee)[] _ring = [];

    /// <inheritdoc />
    public override IEnumerable<IActorRef> Select(object message, IReadOnlyList<IActorRef> routees)
    {
        if (routees.Count == 0) return [];
        var key = mapping?.Invoke(message) ?? (message as IConsistentHashable)?.ConsistentHashKey;
        if (key is null) return [];
        var ring = RingFor(routees);
        var hash = Hash(key);
        var lo = 0;
        var hi = ring.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (ring[mid].Hash < hash) lo = mid + 1;
            else hi = mid;
        }
        return [ring[lo == ring.Length ? 0 : lo].Routee];
    }

    private (ulong Hash, IActorRef Routee)[] RingFor(IReadOnlyList<IActorRef> routees)
    {
        if (ReferenceEquals(_ringFor, routees)) return _ring;
        _ring = routees
            .SelectMany(r => Enumerable.Range(0, Math.Max(1, virtualNodesFactor)).Select(i => (Hash(r.Path.ToStringWithoutAddress() + ":" + i), r)))
            .OrderBy(n => n.Item1)
            .ToArray();
        _ringFor = routees;
        return _ring;
    }

    /// <summary>FNV-1a over UTF-8, finished with a 64-bit mix for spread.</summary>
    internal static ulong Hash(object key)
    {
        var bytes = key switch
        {
            byte[] b => b,
            string s => Encoding.UTF8.GetBytes(s),
            IFormattable f => Encoding.UTF8.GetBytes(f.ToString(null, CultureInfo.InvariantCulture)),
            _ => Encoding.UTF8.GetBytes(key.ToString() ?? ""),
        };
        var h = 14695981039346656037UL;
        foreach (var b in bytes) h = (h ^ b) * 1099511628211UL;
        h ^= h >> 33;
        h *= 0xff51afd7ed558ccdUL;
        h ^= h >> 33;
        h *= 0xc4ceb9fe1a85ec53UL;
        return h ^ (h >> 33);
    }
}

/// <summary>A consistent-hashing pool of <c>nrOfInstances</c> children.</summary>
public sealed class ConsistentHashingPool(int nrOfInstances, ConsistentHashMapping? hashMapping = null, int virtualNodesFactor = 10)
    : Pool(nrOfInstances)
{
    /// <inheritdoc />
    public override RoutingLogic CreateRoutingLogic() => new ConsistentHashingRoutingLogic(hashMapping, virtualNodesFactor);
}

/// <summary>A consistent-hashing group over existing actors.</summary>
public sealed class ConsistentHashingGroup : Group
{
    private readonly ConsistentHashMapping? _mapping;

    /// <summary>Routees by path.</summary>
    public ConsistentHashingGroup(IEnumerable<string> paths, ConsistentHashMapping? hashMapping = null) : base(paths) => _mapping = hashMapping;

    /// <summary>Routees by reference.</summary>
    public ConsistentHashingGroup(IEnumerable<IActorRef> routees, ConsistentHashMapping? hashMapping = null) : base(routees) => _mapping = hashMapping;

    /// <inheritdoc />
    public override RoutingLogic CreateRoutingLogic() => new ConsistentHashingRoutingLogic(_mapping, 10);
}
