namespace AkkaRlhf.Runtime.Serialization;

/// <summary>A message could not be serialized or deserialized (not allow-listed, unknown manifest, bad content).</summary>
public sealed class MessageSerializationException(string message, Exception? cause = null) : AkkaException(message, cause);
