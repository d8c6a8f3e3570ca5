using System.Security.Cryptography;

namespace AkkaRlhf.Cluster;

/// <summary>
/// Reassembles weight broadcasts on a receiving node: chunks may arrive in any order and more than
/// once; a version is applied only when all its chunks are present, its SHA-256 matches and it is
/// newer than the last version applied for the same name. Older or rejected versions are dropped.
/// Not thread-safe: the node holds a lock around it (chunks come from the node queue, files from reads off it).
/// </summary>
internal sealed class WeightAssembler(Action<string> warn)
{
    private readonly Dictionary<string, long> _applied = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Name, long Version), Partial> _partials = [];

    /// <summary>The last version applied for <paramref name="name"/>, or -1.</summary>
    public long AppliedVersion(string name) => _applied.GetValueOrDefault(name, -1);

    /// <summary>Adds a chunk; returns the complete, verified weights when this chunk completes a newer version.</summary>
    public WeightsReceived? Add(WeightChunk chunk, byte[] bytes)
    {
        if (chunk.Version <= AppliedVersion(chunk.Name)) return null;
        if (chunk.Count <= 0 || chunk.Index < 0 || chunk.Index >= chunk.Count || chunk.Length < 0)
        {
            warn($"Dropped weight chunk {chunk.Index}/{chunk.Count} of {chunk.Name} v{chunk.Version}: inconsistent header.");
            return null;
        }
        var key = (chunk.Name, chunk.Version);
        if (!_partials.TryGetValue(key, out var partial))
            _partials[key] = partial = new Partial(chunk.Count, chunk.Length, chunk.Sha256);
        if (partial.Count != chunk.Count || partial.Length != chunk.Length || partial.Sha256 != chunk.Sha256)
        {
            warn($"Dropped weight chunk {chunk.Index} of {chunk.Name} v{chunk.Version}: it disagrees with the earlier chunks.");
            return null;
        }
        partial.Chunks[chunk.Index] ??= bytes;
        if (partial.Chunks.Any(c => c is null)) return null;

        _partials.Remove(key);
        var data = new byte[partial.Length];
        var at = 0L;
        foreach (var c in partial.Chunks)
        {
            if (at + c!.Length > data.Length) { warn($"Rejected {chunk.Name} v{chunk.Version}: chunks exceed the announced length."); return null; }
            c.CopyTo(data, at);
            at += c.Length;
        }
        if (at != data.Length) { warn($"Rejected {chunk.Name} v{chunk.Version}: {at} bytes received, {data.Length} announced."); return null; }
        return Apply(chunk.Name, chunk.Version, chunk.Sha256, data);
    }

    /// <summary>Adds the bytes read for a checkpoint reference; returns the verified weights when newer.</summary>
    public WeightsReceived? Add(WeightReference reference, byte[] data) =>
        reference.Version <= AppliedVersion(reference.Name) ? null : Apply(reference.Name, reference.Version, reference.Sha256, data);

    private WeightsReceived? Apply(string name, long version, string sha256, byte[] data)
    {
        var actual = Hash(data);
        if (!string.Equals(actual, sha256, StringComparison.OrdinalIgnoreCase))
        {
            warn($"Rejected {name} v{version}: SHA-256 {actual} does not match the announced {sha256}.");
            return null;
        }
        _applied[name] = version;
        foreach (var stale in _partials.Keys.Where(k => k.Name == name && k.Version <= version).ToList()) _partials.Remove(stale);
        return new WeightsReceived(name, version, actual, data);
    }

    /// <summary>Lower-case hex SHA-256.</summary>
    public static string Hash(ReadOnlySpan<byte> data) => Convert.ToHexStringLower(SHA256.HashData(data));

    private sealed class Partial(int count, long length, string sha256)
    {
        public int Count { get; } = count;
        public long Length { get; } = length;
        public string Sha256 { get; } = sha256;
        public byte[]?[] Chunks { get; } = new byte[count][];
    }
}
