using AkkaRlhf.Runtime;
using AkkaRlhf.Runtime.Event;

namespace AkkaRlhf.Cluster;

/// <summary>Log events of the cluster layer, published on the system's event stream (source <c>Cluster(address)</c>).</summary>
internal sealed class ClusterLog(ActorSystem system, string source)
{
    private bool Enabled(LogLevel level) => level >= system.Settings.LogLevel;

    public void Debug(string message) { if (Enabled(LogLevel.Debug)) system.EventStream.Publish(new Runtime.Event.Debug(source, typeof(ClusterNode), message)); }

    public void Info(string message) { if (Enabled(LogLevel.Info)) system.EventStream.Publish(new Info(source, typeof(ClusterNode), message)); }

    public void Warning(string message) { if (Enabled(LogLevel.Warning)) system.EventStream.Publish(new Warning(source, typeof(ClusterNode), message)); }

    public void Error(string message, Exception? cause = null) => system.EventStream.Publish(new Error(source, typeof(ClusterNode), message, cause));
}
