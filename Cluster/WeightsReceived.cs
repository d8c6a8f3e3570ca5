namespace AkkaRlhf.Cluster;

/// <summary>
/// Published on the receiving node's event stream when a weight broadcast is complete, its SHA-256
/// verified and its version newer than the last one applied for <paramref name="Name"/>. Subscribe
/// the actor that owns the model: <c>system.EventStream.Subscribe(self, typeof(WeightsReceived))</c>.
/// </summary>
/// <param name="Name">What the weights are for (e.g. "policy").</param>
/// <param name="Version">Their version (strictly increasing per name).</param>
/// <param name="Sha256">Lower-case hex SHA-256 of <paramref name="Data"/>.</param>
/// <param name="Data">The bytes as the learner published them (e.g. a safetensors file).</param>
public sealed record WeightsReceived(string Name, long Version, string Sha256, byte[] Data) : ClusterEvent.IClusterDomainEvent;
