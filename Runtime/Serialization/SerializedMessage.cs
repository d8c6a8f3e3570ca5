namespace AkkaRlhf.Runtime.Serialization;

/// <summary>
/// A message on the wire: the allow-list <paramref name="Manifest"/>, the UTF-8 JSON of the message and
/// the raw binary <paramref name="Payloads"/> (tensors...) the JSON refers to by index.
/// </summary>
public sealed record SerializedMessage(string Manifest, byte[] Json, IReadOnlyList<byte[]> Payloads);
