namespace AkkaRlhf.Persistence;

/// <summary>
/// How a persistent actor recovers (Akka's <c>Recovery</c>): from the latest snapshot matching <see cref="FromSnapshot"/>,
/// then the events after it up to <see cref="ToSequenceNr"/>, at most <see cref="ReplayMax"/> of them.
/// </summary>
public sealed record Recovery(SnapshotSelectionCriteria FromSnapshot, long ToSequenceNr = long.MaxValue, long ReplayMax = long.MaxValue)
{
    /// <summary>The latest snapshot and every event after it.</summary>
    public static Recovery Default { get; } = new(SnapshotSelectionCriteria.Latest);

    /// <summary>No snapshot and no events: the actor starts empty (but continues the sequence numbers).</summary>
    public static Recovery None { get; } = new(SnapshotSelectionCriteria.None, 0, 0);
}
