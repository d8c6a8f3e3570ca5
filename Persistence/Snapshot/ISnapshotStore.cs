namespace AkkaRlhf.Persistence;

/// <summary>
/// A snapshot store (Akka's <c>SnapshotStore</c> contract). Implementations: <c>MemorySnapshotStore</c>,
/// <c>SqlSnapshotStore</c> over SQLite or PostgreSQL. Snapshots are serialized with the actor system's
/// allow-list, synchronously before the returned task's first await (so the caller may mutate its state afterwards).
/// </summary>
public interface ISnapshotStore
{
    /// <summary>The snapshot of <paramref name="persistenceId"/> with the highest sequence number matching <paramref name="criteria"/>, or null.</summary>
    Task<SelectedSnapshot?> LoadAsync(string persistenceId, SnapshotSelectionCriteria criteria, CancellationToken cancellationToken = default);

    /// <summary>Saves <paramref name="snapshot"/>; a snapshot with the same persistence id and sequence number is replaced.</summary>
    Task SaveAsync(SnapshotMetadata metadata, object snapshot, CancellationToken cancellationToken = default);

    /// <summary>Deletes the snapshot with the persistence id and sequence number of <paramref name="metadata"/> (its timestamp is ignored).</summary>
    Task DeleteAsync(SnapshotMetadata metadata, CancellationToken cancellationToken = default);

    /// <summary>Deletes every snapshot of <paramref name="persistenceId"/> matching <paramref name="criteria"/>.</summary>
    Task DeleteAsync(string persistenceId, SnapshotSelectionCriteria criteria, CancellationToken cancellationToken = default);
}
