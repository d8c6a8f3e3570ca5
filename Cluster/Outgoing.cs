namespace AkkaRlhf.Cluster;

/// <summary>One AMQP publish: where, what, and how hard to try.</summary>
/// <param name="Exchange">Exchange ("" = the default exchange, routing key = queue name).</param>
/// <param name="RoutingKey">Routing key.</param>
/// <param name="Body">The encoded <see cref="Frame"/> (with its message id).</param>
/// <param name="Persistent">Written to disk by the broker (survives a broker restart).</param>
/// <param name="DeclareQueue">A durable queue to declare before publishing (a role queue, so no work is lost before its first consumer).</param>
/// <param name="DropWhenDisconnected">Drop instead of retrying after a reconnect (heartbeats).</param>
internal sealed record Outgoing(
    string Exchange,
    string RoutingKey,
    byte[] Body,
    bool Persistent,
    string? DeclareQueue = null,
    bool DropWhenDisconnected = false);
