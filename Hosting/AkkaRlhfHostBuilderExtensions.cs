using System.Reflection;
using Akka.Actor;
using Akka.DependencyInjection;
using Akka.Hosting;
using AkkaRlhf.Actors.Dispatch;
using AkkaRlhf.Configuration;
using AkkaRlhf.Persistence;
using Microsoft.Extensions.DependencyInjection;

namespace AkkaRlhf.Hosting;

/// <summary>
/// AkkaRlhf on the generic host, through Akka.Hosting: the application's configuration (every module's reference.conf
/// &lt; the user file &lt; AKKA_RLHF__ variables &lt; overrides) is merged and resolved once by the project's HOCON reader,
/// registered as a service, and given to <c>AddAkka</c> as the actor system's configuration, with the run journal of
/// <c>akka-rlhf.persistence</c> (an SQLite file <c>journal.db</c> in the working directory by default); start-up actors go to
/// Akka.Hosting's <see cref="ActorRegistry"/>.
/// <code>
/// builder.Services.AddAkkaRlhf("rlhf", options => options
///     .WithConfigFile("rlhf.conf")
///     .WithActors((system, registry) => registry.Register&lt;Echo&gt;(system.ActorOf(Echo.Props(), "echo"))));
/// </code>
/// </summary>
public static class AkkaRlhfHostBuilderExtensions
{
    /// <summary>Adds the configuration, the actor system <paramref name="actorSystemName"/> and its start-up actors.</summary>
    /// <exception cref="InvalidOperationException">AddAkkaRlhf was already called on <paramref name="services"/>.</exception>
    /// <exception cref="ConfigurationException">The configuration is malformed (raised here, before the host starts; a bad
    /// <c>akka.rlhf.model-dispatcher</c> value when the host starts).</exception>
    public static IServiceCollection AddAkkaRlhf(this IServiceCollection services, string actorSystemName, Action<AkkaRlhfOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.Any(d => d.ServiceType == typeof(AkkaRlhfOptions)))
            throw new InvalidOperationException("AddAkkaRlhf was already called: one actor system per host.");
        var options = new AkkaRlhfOptions();
        configure?.Invoke(options);
        var config = options.BuildConfig();
        services.AddSingleton(options);
        services.AddSingleton(config);
        return services.AddAkka(actorSystemName, builder =>
        {
            builder.AddHocon(ActorSystems.ToAkkaConfig(config, PersistenceSettings.Create(config).ToAkkaConfig()), HoconAddMode.Prepend);
            builder.WithActors((system, _) => ModelDispatchers.Get(system));          // a bad model-dispatcher setting fails the host's start
            foreach (var start in options.Starters) builder.WithActors(start);
        });
    }
}

/// <summary>What <see cref="AkkaRlhfHostBuilderExtensions.AddAkkaRlhf"/> builds: configuration layers and start-up actors.</summary>
public sealed class AkkaRlhfOptions
{
    private readonly List<Assembly> _modules = [.. AppConfig.Modules];
    private readonly List<Config> _configs = [];
    private readonly List<string> _overrides = [];
    private readonly List<Action<ActorSystem, IActorRegistry, IDependencyResolver>> _starters = [];

    /// <summary>The user's configuration file (none by default).</summary>
    public string? ConfigFile { get; set; }

    /// <summary>Whether AKKA_RLHF__ environment variables are a layer (default true).</summary>
    public bool UseEnvironment { get; set; } = true;

    /// <summary>Uses <paramref name="path"/> as the user file.</summary>
    public AkkaRlhfOptions WithConfigFile(string? path) { ConfigFile = path; return this; }

    /// <summary>Adds a configuration at the user file's level.</summary>
    public AkkaRlhfOptions WithConfig(Config config) { _configs.Add(config); return this; }

    /// <summary>Adds HOCON text at the user file's level.</summary>
    public AkkaRlhfOptions WithConfig(string hocon) => WithConfig(ConfigurationFactory.ParseString(hocon));

    /// <summary>Adds command-line style overrides (<c>a.b=3</c>), the top layer.</summary>
    public AkkaRlhfOptions WithOverrides(params IEnumerable<string> overrides) { _overrides.AddRange(overrides); return this; }

    /// <summary>Adds <paramref name="module"/>'s embedded reference.conf (a plug-in's defaults) to the bottom layer.</summary>
    public AkkaRlhfOptions WithReference(Assembly module) { if (!_modules.Contains(module)) _modules.Add(module); return this; }

    /// <summary>Starts actors once the system is up (in order); register them for the host's services.</summary>
    public AkkaRlhfOptions WithActors(Action<ActorSystem, IActorRegistry> starter) => WithActors((system, registry, _) => starter(system, registry));

    /// <summary>Starts actors once the system is up (in order), with the host's services.</summary>
    public AkkaRlhfOptions WithActors(Action<ActorSystem, IActorRegistry, IDependencyResolver> starter) { _starters.Add(starter); return this; }

    /// <summary>The start-up actions.</summary>
    public IReadOnlyList<Action<ActorSystem, IActorRegistry, IDependencyResolver>> Starters => _starters;

    /// <summary>Merges the layers and resolves them, once.</summary>
    public Config BuildConfig()
    {
        var layers = new ConfigLayers();
        foreach (var module in _modules) layers.AddReference(module);
        layers.AddFile(ConfigFile);
        foreach (var config in _configs) layers.AddUser(config);
        if (UseEnvironment) layers.AddEnvironment();
        return AppConfig.Checked(layers.AddOverrides(_overrides));
    }
}
