namespace AkkaRlhf.Persistence;

/// <summary>Identifies a snapshot: whose it is, the sequence number of the last event it includes, and when it was taken (UTC).</summary>
public sealed record SnapshotMetadata(string PersistenceId, long SequenceNr, DateTime Timestamp)
{
    /// <summary>Metadata with <see cref="DateTime.MinValue"/> as timestamp (for deletes by sequence number).</summary>
    public SnapshotMetadata(string persistenceId, long sequenceNr) : this(persistenceId, sequenceNr, DateTime.MinValue) { }
}
