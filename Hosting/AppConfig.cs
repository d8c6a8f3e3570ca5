using AkkaRlhf.Actors.Pipeline;
using AkkaRlhf.Configuration;

namespace AkkaRlhf.Hosting;

/// <summary>
/// The application's layered configuration: every module's embedded reference.conf &lt; the user
/// file &lt; environment variables (AKKA_RLHF__a__b=value) &lt; command-line overrides, merged and resolved once.
/// A key under <c>akka-rlhf</c> that no module's reference.conf has is an error with a "did you mean" (a plug-in role's
/// block, whose <c>type</c> is not a built-in role, may hold its own keys).
/// </summary>
public static class AppConfig
{
    /// <summary>Assemblies whose embedded reference.conf is the bottom layer.</summary>
    public static readonly System.Reflection.Assembly[] Modules =
    [
        typeof(AppConfig).Assembly,
        typeof(PipelineSettings).Assembly,
        typeof(AkkaRlhf.Persistence.PersistenceSettings).Assembly,
    ];

    /// <summary>
    /// The configuration of the CLI. The plug-in assemblies of <c>akka-rlhf.plugins</c> are loaded first (so that their
    /// role types resolve by name), and their embedded reference.conf joins the bottom layer.
    /// </summary>
    /// <exception cref="ConfigurationException">A file or value is malformed, a key is unknown or a plug-in cannot be loaded (the message names where it was set).</exception>
    public static Config Load(string? userFile, IEnumerable<string> overrides)
    {
        ConfigLayers Layers(IEnumerable<System.Reflection.Assembly> modules)
        {
            var layers = new ConfigLayers();
            foreach (var module in modules) layers.AddReference(module);
            return layers.AddFile(userFile).AddEnvironment().AddOverrides(overrides);
        }
        var layers = Layers(Modules);
        var plugins = Plugins.Load(layers.Build());
        return Checked(plugins.Count == 0 ? layers : Layers(Modules.Concat(plugins)));   // files are read again only for plug-ins' defaults
    }

    /// <summary>Builds <paramref name="layers"/> and refuses keys under <c>akka-rlhf</c> that its reference layer does not have.</summary>
    public static Config Checked(ConfigLayers layers)
    {
        var config = layers.Build();
        UnknownKeys.Check(config, layers.BuildReference(), "akka-rlhf", IsPluginBlock);
        if (config.GetValue("akka.persistence.provider") is { } moved)                // the first version's key: Akka owns akka.persistence now
            throw new ConfigurationException($"{moved.Origin}: akka.persistence.provider is now akka-rlhf.persistence.provider " +
                "(the run journal's settings moved under akka-rlhf.persistence: provider, snapshot-every, postgresql.connection-string)",
                moved.Origin, "akka.persistence.provider");
        return config;
    }

    private static readonly RoleRegistry BuiltIn = RoleRegistry.Default;

    /// <summary>A PPO role block whose type is a plug-in (an assembly-qualified type): its keys are the plug-in's own.</summary>
    private static bool IsPluginBlock(string path, Config block) =>
        path.StartsWith("akka-rlhf.ppo.", StringComparison.Ordinal) && path.Count(c => c == '.') == 2
        && block.HasPath("type") && block.GetValue("type") is HoconScalar && !BuiltIn.IsRegistered(block.GetString("type"));
}
