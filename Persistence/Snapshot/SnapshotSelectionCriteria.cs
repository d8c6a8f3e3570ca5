namespace AkkaRlhf.Persistence;

/// <summary>
/// Which snapshots a load or delete considers: sequence number and timestamp within the given bounds
/// (all bounds inclusive). Akka's <c>SnapshotSelectionCriteria</c>.
/// </summary>
public sealed record SnapshotSelectionCriteria(
    long MaxSequenceNr, DateTime MaxTimestamp, long MinSequenceNr = 0, DateTime? MinTimestamp = null)
{
    /// <summary>Criteria bounded only by <paramref name="maxSequenceNr"/>.</summary>
    public SnapshotSelectionCriteria(long maxSequenceNr) : this(maxSequenceNr, DateTime.MaxValue) { }

    /// <summary>Every snapshot: a load picks the latest.</summary>
    public static SnapshotSelectionCriteria Latest { get; } = new(long.MaxValue, DateTime.MaxValue);

    /// <summary>No snapshot: recovery replays all events.</summary>
    public static SnapshotSelectionCriteria None { get; } = new(0, DateTime.MinValue);

    /// <summary>The lower timestamp bound (<see cref="DateTime.MinValue"/> when not given).</summary>
    public DateTime MinTimestampOrMin => MinTimestamp ?? DateTime.MinValue;

    /// <summary>True when <paramref name="metadata"/> is within the bounds.</summary>
    public bool IsMatch(SnapshotMetadata metadata) =>
        metadata.SequenceNr <= MaxSequenceNr && metadata.Timestamp <= MaxTimestamp &&
        metadata.SequenceNr >= MinSequenceNr && metadata.Timestamp >= MinTimestampOrMin;

    /// <summary>These criteria with the upper sequence bound lowered to <paramref name="toSequenceNr"/> when that is lower.</summary>
    public SnapshotSelectionCriteria Limit(long toSequenceNr) =>
        toSequenceNr < MaxSequenceNr ? this with { MaxSequenceNr = toSequenceNr } : this;
}
