namespace AkkaRlhf.Persistence;

/// <summary>A snapshot store behind a <see cref="CircuitBreaker"/> (call timeout and fail-fast while open).</summary>
public sealed class GuardedSnapshotStore(ISnapshotStore inner, CircuitBreaker breaker) : ISnapshotStore
{
    /// <summary>The guarded store.</summary>
    public ISnapshotStore Inner { get; } = inner;

    /// <summary>The breaker in front of it.</summary>
    public CircuitBreaker Breaker { get; } = breaker;

    /// <inheritdoc />
    public Task<SelectedSnapshot?> LoadAsync(string persistenceId, SnapshotSelectionCriteria criteria, CancellationToken cancellationToken = default) =>
        Breaker.CallAsync("Load", ct => Inner.LoadAsync(persistenceId, criteria, ct), cancellationToken);

    /// <inheritdoc />
    public Task SaveAsync(SnapshotMetadata metadata, object snapshot, CancellationToken cancellationToken = default) =>
        Breaker.CallAsync("Save", ct => Inner.SaveAsync(metadata, snapshot, ct), cancellationToken);

    /// <inheritdoc />
    public Task DeleteAsync(SnapshotMetadata metadata, CancellationToken cancellationToken = default) =>
        Breaker.CallAsync("Delete", ct => Inner.DeleteAsync(metadata, ct), cancellationToken);

    /// <inheritdoc />
    public Task DeleteAsync(string persistenceId, SnapshotSelectionCriteria criteria, CancellationToken cancellationToken = default) =>
        Breaker.CallAsync("Delete", ct => Inner.DeleteAsync(persistenceId, criteria, ct), cancellationToken);
}
