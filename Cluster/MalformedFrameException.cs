using AkkaRlhf.Runtime;

namespace AkkaRlhf.Cluster;

/// <summary>A message body on a queue is not a valid cluster frame (truncated, forged, or another format).</summary>
public sealed class MalformedFrameException(string message) : AkkaException(message, null);
