using AkkaRlhf.Configuration;

namespace AkkaRlhf.Hosting;

/// <summary>
/// The application's layered configuration: every module's embedded reference.conf &lt; the user
/// file &lt; environment variables (AKKA_RLHF__a__b=value) &lt; command-line overrides.
/// </summary>
public static class AppConfig
{
    /// <summary>Assemblies whose embedded reference.conf is the bottom layer.</summary>
    public static readonly System.Reflection.Assembly[] Modules =
    [
        typeof(AkkaRlhf.Runtime.ActorSystem).Assembly,
        typeof(AkkaRlhf.Actors.Pipeline.PipelineSettings).Assembly,
        typeof(AkkaRlhf.Cluster.ClusterNode).Assembly,
    ];

    public static Config Load(string? userFile, IEnumerable<string> overrides) =>
        ConfigLayers.Load(Modules, userFile, overrides);
}
