namespace AkkaRlhf.Actors.Messages;

/// <summary>
/// A message about one batch. The batch id travels with every request and its reply: a coordinator
/// that re-asks after a failure or a timeout sends the same id, and a receiver that has already
/// handled that id answers with its earlier reply instead of doing the work twice.
/// </summary>
public interface IBatchMessage
{
    long BatchId { get; }
}
