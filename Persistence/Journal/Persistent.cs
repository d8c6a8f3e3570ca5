namespace AkkaRlhf.Persistence;

/// <summary>
/// One event in the journal (Akka's <c>IPersistentRepresentation</c>): the event <paramref name="Payload"/>,
/// the <paramref name="PersistenceId"/> of the actor that wrote it and its <paramref name="SequenceNr"/>
/// (1, 2, 3... per persistence id). <paramref name="Timestamp"/> is set by the journal when written
/// (Unix milliseconds, UTC); 0 before that.
/// </summary>
public sealed record Persistent(object Payload, long SequenceNr, string PersistenceId, long Timestamp = 0)
{
    /// <summary>A copy with another timestamp.</summary>
    public Persistent WithTimestamp(long timestamp) => this with { Timestamp = timestamp };
}
