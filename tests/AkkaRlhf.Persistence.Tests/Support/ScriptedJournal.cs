namespace AkkaRlhf.Persistence.Tests.Support;

/// <summary>A journal wrapper whose writes and replays can be delayed, failed or hung by a spec.</summary>
public sealed class ScriptedJournal(IJournal inner) : IJournal
{
    /// <summary>Added before every write.</summary>
    public TimeSpan WriteDelay { get; set; }

    /// <summary>Added before every replay.</summary>
    public TimeSpan ReplayDelay { get; set; }

    /// <summary>Writes throw this store error.</summary>
    public bool FailWrites { get; set; }

    /// <summary>Writes never complete.</summary>
    public bool HangWrites { get; set; }

    /// <summary>Writes wait for this task (when set) before going on.</summary>
    public Task? WriteGate { get; set; }

    /// <summary>Number of write calls so far.</summary>
    public int WriteCalls => _writeCalls;

    private int _writeCalls;

    /// <inheritdoc />
    public async Task<IReadOnlyList<Exception?>> WriteMessagesAsync(IReadOnlyList<AtomicWrite> messages, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _writeCalls);
        if (HangWrites) await Task.Delay(Timeout.Infinite, CancellationToken.None);
        if (WriteGate is { } gate) await gate;
        if (WriteDelay > TimeSpan.Zero) await Task.Delay(WriteDelay, CancellationToken.None);
        if (FailWrites) throw new IOException("disk on fire (scripted)");
        return await inner.WriteMessagesAsync(messages, cancellationToken);
    }

    /// <inheritdoc />
    public async Task ReplayMessagesAsync(string persistenceId, long fromSequenceNr, long toSequenceNr, long max,
        Action<Persistent> recoveryCallback, CancellationToken cancellationToken = default)
    {
        if (ReplayDelay > TimeSpan.Zero) await Task.Delay(ReplayDelay, CancellationToken.None);
        await inner.ReplayMessagesAsync(persistenceId, fromSequenceNr, toSequenceNr, max, recoveryCallback, cancellationToken);
    }

    /// <inheritdoc />
    public Task<long> ReadHighestSequenceNrAsync(string persistenceId, long fromSequenceNr, CancellationToken cancellationToken = default) =>
        inner.ReadHighestSequenceNrAsync(persistenceId, fromSequenceNr, cancellationToken);

    /// <inheritdoc />
    public Task DeleteMessagesToAsync(string persistenceId, long toSequenceNr, CancellationToken cancellationToken = default) =>
        inner.DeleteMessagesToAsync(persistenceId, toSequenceNr, cancellationToken);
}
