namespace AkkaRlhf.Persistence;

/// <summary>
/// An event journal (Akka's <c>AsyncWriteJournal</c> contract). Implementations: <c>MemoryJournal</c>,
/// <c>SqlJournal</c> over SQLite or PostgreSQL. Events are serialized with the actor system's
/// <c>MessageSerialization</c> allow-list; a journal stores the manifest and the bytes, never a CLR type name.
/// </summary>
public interface IJournal
{
    /// <summary>
    /// Writes <paramref name="messages"/>; each <see cref="AtomicWrite"/> is stored entirely or not at all.
    /// The result has one entry per write, in order: null when written, or the reason it was rejected
    /// (e.g. an event that cannot be serialized) — a rejected write stores nothing and the others still go on.
    /// When the store itself fails, the returned task fails and none of the writes may be assumed stored.
    /// </summary>
    Task<IReadOnlyList<Exception?>> WriteMessagesAsync(IReadOnlyList<AtomicWrite> messages, CancellationToken cancellationToken = default);

    /// <summary>
    /// Calls <paramref name="recoveryCallback"/> for the stored, not deleted events of <paramref name="persistenceId"/>
    /// with <paramref name="fromSequenceNr"/> ≤ sequence number ≤ <paramref name="toSequenceNr"/>, in order, at most
    /// <paramref name="max"/> of them. The callback runs on the journal's thread, before the task completes.
    /// </summary>
    Task ReplayMessagesAsync(string persistenceId, long fromSequenceNr, long toSequenceNr, long max,
        Action<Persistent> recoveryCallback, CancellationToken cancellationToken = default);

    /// <summary>
    /// The highest sequence number ever written for <paramref name="persistenceId"/> (0 when none), also after its
    /// events were deleted. <paramref name="fromSequenceNr"/> is a hint: the caller knows nothing lower matters.
    /// </summary>
    Task<long> ReadHighestSequenceNrAsync(string persistenceId, long fromSequenceNr, CancellationToken cancellationToken = default);

    /// <summary>Deletes the events of <paramref name="persistenceId"/> up to and including <paramref name="toSequenceNr"/>.</summary>
    Task DeleteMessagesToAsync(string persistenceId, long toSequenceNr, CancellationToken cancellationToken = default);
}
