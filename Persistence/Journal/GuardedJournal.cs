namespace AkkaRlhf.Persistence;

/// <summary>
/// A journal behind a <see cref="CircuitBreaker"/>: every call completes or fails within the breaker's call
/// timeout, and while the breaker is open calls fail at once with <see cref="OpenCircuitException"/>.
/// Rejected writes (serialization) are answers, not failures: they do not trip the breaker.
/// </summary>
public sealed class GuardedJournal(IJournal inner, CircuitBreaker breaker) : IJournal, IPersistenceIdsQuery
{
    /// <summary>The guarded journal.</summary>
    public IJournal Inner { get; } = inner;

    /// <summary>The breaker in front of it.</summary>
    public CircuitBreaker Breaker { get; } = breaker;

    /// <inheritdoc />
    public Task<IReadOnlyList<Exception?>> WriteMessagesAsync(IReadOnlyList<AtomicWrite> messages, CancellationToken cancellationToken = default) =>
        Breaker.CallAsync("WriteMessages", ct => Inner.WriteMessagesAsync(messages, ct), cancellationToken);

    /// <inheritdoc />
    public Task ReplayMessagesAsync(string persistenceId, long fromSequenceNr, long toSequenceNr, long max,
        Action<Persistent> recoveryCallback, CancellationToken cancellationToken = default) =>
        Breaker.CallAsync("ReplayMessages",
            ct => Inner.ReplayMessagesAsync(persistenceId, fromSequenceNr, toSequenceNr, max, recoveryCallback, ct), cancellationToken);

    /// <inheritdoc />
    public Task<long> ReadHighestSequenceNrAsync(string persistenceId, long fromSequenceNr, CancellationToken cancellationToken = default) =>
        Breaker.CallAsync("ReadHighestSequenceNr", ct => Inner.ReadHighestSequenceNrAsync(persistenceId, fromSequenceNr, ct), cancellationToken);

    /// <inheritdoc />
    public Task DeleteMessagesToAsync(string persistenceId, long toSequenceNr, CancellationToken cancellationToken = default) =>
        Breaker.CallAsync("DeleteMessagesTo", ct => Inner.DeleteMessagesToAsync(persistenceId, toSequenceNr, ct), cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<string>> CurrentPersistenceIdsAsync(string prefix, CancellationToken cancellationToken = default) =>
        Inner is IPersistenceIdsQuery query
            ? Breaker.CallAsync("CurrentPersistenceIds", ct => query.CurrentPersistenceIdsAsync(prefix, ct), cancellationToken)
            : throw new NotSupportedException($"{Inner.GetType().Name} cannot list persistence ids.");
}
