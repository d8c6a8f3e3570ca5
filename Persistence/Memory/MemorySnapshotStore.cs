using AkkaRlhf.Persistence.Serialization;
using AkkaRlhf.Runtime.Serialization;

namespace AkkaRlhf.Persistence.Memory;

/// <summary>A snapshot store in process memory (serializing through the allow-list like the real ones).</summary>
public sealed class MemorySnapshotStore(MessageSerialization serialization) : ISnapshotStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, SortedDictionary<long, (SnapshotMetadata Metadata, StoredPayload Payload)>> _snapshots =
        new(StringComparer.Ordinal);

    /// <inheritdoc />
    public Task<SelectedSnapshot?> LoadAsync(string persistenceId, SnapshotSelectionCriteria criteria, CancellationToken cancellationToken = default)
    {
        (SnapshotMetadata Metadata, StoredPayload Payload)? found = null;
        lock (_lock)
        {
            if (_snapshots.TryGetValue(persistenceId, out var all))
                found = all.Values.Where(s => criteria.IsMatch(s.Metadata)).Select(s => ((SnapshotMetadata, StoredPayload)?)s).LastOrDefault();
        }
        return Task.FromResult(found is { } f ? new SelectedSnapshot(f.Metadata, f.Payload.ToValue(serialization)) : null);
    }

    /// <inheritdoc />
    public Task SaveAsync(SnapshotMetadata metadata, object snapshot, CancellationToken cancellationToken = default)
    {
        var payload = StoredPayload.From(serialization, snapshot);
        lock (_lock)
        {
            if (!_snapshots.TryGetValue(metadata.PersistenceId, out var all)) _snapshots[metadata.PersistenceId] = all = [];
            all[metadata.SequenceNr] = (metadata, payload);
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task DeleteAsync(SnapshotMetadata metadata, CancellationToken cancellationToken = default)
    {
        lock (_lock)
            if (_snapshots.TryGetValue(metadata.PersistenceId, out var all)) all.Remove(metadata.SequenceNr);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task DeleteAsync(string persistenceId, SnapshotSelectionCriteria criteria, CancellationToken cancellationToken = default)
    {
        lock (_lock)
            if (_snapshots.TryGetValue(persistenceId, out var all))
                foreach (var key in all.Where(s => criteria.IsMatch(s.Value.Metadata)).Select(s => s.Key).ToList()) all.Remove(key);
        return Task.CompletedTask;
    }
}
