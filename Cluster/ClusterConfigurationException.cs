using AkkaRlhf.Runtime;

namespace AkkaRlhf.Cluster;

/// <summary>The cluster's configuration is invalid or unsafe (the message says which key and why).</summary>
public sealed class ClusterConfigurationException(string message) : AkkaException(message, null);
