using System.Reflection;
using AkkaRlhf.Configuration;
using AkkaRlhf.Runtime;

namespace AkkaRlhf.Hosting.Host;

/// <summary>A start-up action: creates top-level actors and registers them.</summary>
public delegate void ActorStarter(ActorSystem system, ActorRegistry registry, IServiceProvider services);

/// <summary>
/// How <see cref="AkkaRlhfHostBuilderExtensions.AddAkkaRlhf(Microsoft.Extensions.DependencyInjection.IServiceCollection, string, Action{AkkaRlhfOptions}?)"/>
/// builds the actor system: the configuration layers (reference.conf of each module &lt; user file or
/// configs &lt; AKKA_RLHF__ environment variables &lt; overrides) and the actors to start with it.
/// </summary>
public sealed class AkkaRlhfOptions
{
    private readonly List<Assembly> _modules = [.. AppConfig.Modules];
    private readonly List<Config> _configs = [];
    private readonly List<string> _overrides = [];
    private readonly List<ActorStarter> _starters = [];

    /// <summary>The user configuration file (HOCON); none when null.</summary>
    public string? ConfigFile { get; set; }

    /// <summary>Read AKKA_RLHF__a__b=value environment variables as a layer. Default true.</summary>
    public bool UseEnvironment { get; set; } = true;

    /// <summary>How long stopping the host waits for the actor system to terminate. Default 10 s.</summary>
    public TimeSpan TerminateTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Reads <paramref name="path"/> as the user configuration file.</summary>
    public AkkaRlhfOptions WithConfigFile(string? path) { ConfigFile = path; return this; }

    /// <summary>Adds a configuration at the user-file level (later ones win over earlier ones and over the file).</summary>
    public AkkaRlhfOptions WithConfig(Config config) { _configs.Add(config); return this; }

    /// <summary>Adds a configuration written in HOCON at the user-file level.</summary>
    public AkkaRlhfOptions WithConfig(string hocon) => WithConfig(ConfigurationFactory.ParseString(hocon));

    /// <summary>Adds overrides such as <c>akka.actor.ask-timeout = 3s</c>: the highest layer, as <c>--set</c> on the command line.</summary>
    public AkkaRlhfOptions WithOverrides(params IEnumerable<string> overrides) { _overrides.AddRange(overrides); return this; }

    /// <summary>Adds the embedded reference.conf of <paramref name="module"/> to the defaults (the runtime's is always there).</summary>
    public AkkaRlhfOptions WithReference(Assembly module) { if (!_modules.Contains(module)) _modules.Add(module); return this; }

    /// <summary>Runs <paramref name="starter"/> when the host starts, after the system is created, in registration order.</summary>
    public AkkaRlhfOptions WithActors(Action<ActorSystem, ActorRegistry> starter) =>
        WithActors((system, registry, _) => starter(system, registry));

    /// <summary>Runs <paramref name="starter"/> when the host starts, with the application's services at hand.</summary>
    public AkkaRlhfOptions WithActors(ActorStarter starter) { _starters.Add(starter); return this; }

    /// <summary>The start-up actions, in order.</summary>
    public IReadOnlyList<ActorStarter> Starters => _starters;

    /// <summary>The merged, resolved configuration these options describe.</summary>
    /// <exception cref="ConfigurationException">A file is missing or malformed, or a substitution cannot be resolved.</exception>
    public Config BuildConfig()
    {
        var layers = new ConfigLayers();
        foreach (var module in _modules) layers.AddReference(module);
        layers.AddFile(ConfigFile);
        foreach (var config in _configs) layers.AddUser(config);
        if (UseEnvironment) layers.AddEnvironment();
        return layers.AddOverrides(_overrides).Build();
    }
}
