namespace AkkaRlhf.Persistence;

/// <summary>
/// Events of one persistence id that are written all together or not at all (Akka's <c>AtomicWrite</c>):
/// <c>Persist</c> makes one of a single event, <c>PersistAll</c> one of all its events.
/// </summary>
public sealed record AtomicWrite
{
    /// <summary>Creates a write of <paramref name="payload"/>: at least one event, all of the same persistence id, increasing sequence numbers.</summary>
    /// <exception cref="ArgumentException">The events are empty, of several persistence ids, or out of order.</exception>
    public AtomicWrite(IReadOnlyList<Persistent> payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        if (payload.Count == 0) throw new ArgumentException("An AtomicWrite needs at least one event.", nameof(payload));
        for (var i = 1; i < payload.Count; i++)
        {
            if (payload[i].PersistenceId != payload[0].PersistenceId)
                throw new ArgumentException(
                    $"All events of an AtomicWrite must have the same persistence id: '{payload[0].PersistenceId}' and '{payload[i].PersistenceId}'.",
                    nameof(payload));
            if (payload[i].SequenceNr <= payload[i - 1].SequenceNr)
                throw new ArgumentException("The sequence numbers of an AtomicWrite must increase.", nameof(payload));
        }
        Payload = payload;
    }

    /// <summary>A write of one event.</summary>
    public AtomicWrite(Persistent single) : this([single]) { }

    /// <summary>The events, in order.</summary>
    public IReadOnlyList<Persistent> Payload { get; }

    /// <summary>The persistence id of all the events.</summary>
    public string PersistenceId => Payload[0].PersistenceId;

    /// <summary>The first sequence number.</summary>
    public long LowestSequenceNr => Payload[0].SequenceNr;

    /// <summary>The last sequence number.</summary>
    public long HighestSequenceNr => Payload[^1].SequenceNr;
}
