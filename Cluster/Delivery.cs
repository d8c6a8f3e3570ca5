namespace AkkaRlhf.Cluster;

/// <summary>A decoded message taken from a queue, with the means to settle it on the broker.</summary>
/// <param name="Frame">The decoded frame.</param>
/// <param name="Redelivered">True when the broker delivers it again (its first consumer did not ack).</param>
/// <param name="Ack">Acknowledges it (a no-op when its channel has gone: the broker will redeliver).</param>
/// <param name="Reject">Rejects it without requeue.</param>
internal sealed record Delivery(Frame Frame, bool Redelivered, Func<Task> Ack, Func<Task> Reject);
