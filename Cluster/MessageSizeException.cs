using AkkaRlhf.Runtime;

namespace AkkaRlhf.Cluster;

/// <summary>A message is larger than <c>akka.cluster.max-message-size</c>.</summary>
public sealed class MessageSizeException(string message) : AkkaException(message, null);
