using Akka.Actor;
using Akka.Configuration;
using ConfigurationException = AkkaRlhf.Configuration.ConfigurationException;

namespace AkkaRlhf.Actors.Dispatch;

/// <summary>
/// Which dispatcher a model actor runs on, read once per actor system from <c>akka.rlhf.model-dispatcher</c>:
/// <c>thread-per-actor = on</c>, a thread of its own; <c>off</c>, the .NET thread pool; <c>auto</c> (the default), the
/// pool for a model with fewer than <c>pool-below-parameters</c> parameters, a thread of its own for a larger one.
/// </summary>
/// <remarks>
/// Why by size (bench/Pipeline/RESULTS.md, bench/Gpt2Small/RESULTS.md): on the pool the thread that sends a message
/// usually runs it next, where a thread per actor must wake the actor's sleeping thread, cold on this or another core, at
/// every message; a small model's steps are short, so that costs its iteration ~7% (-0.3% to 12%), the pool ~2% (0.2% to 4.1%). A large model's
/// steps take seconds, so messaging is noise there, and on the pool its activations move between threads and so between
/// glibc's per-thread malloc arenas: GPT-2 small with LoRA peaks 15-25% higher. The pool side is a second dispatcher,
/// <see cref="PoolId"/>, with the same keys and <c>thread-per-actor = off</c>.
/// </remarks>
public sealed class ModelDispatchers : IExtension
{
    /// <summary>The dispatcher of the model actors that run on the pool (registered here, not in configuration).</summary>
    public const string PoolId = RlhfActors.ModelDispatcher + "-pool";

    /// <summary>A thread of its own for every model actor, the pool for every one, or by the model's size.</summary>
    public enum Placement { Threads, Pool, Auto }

    public Placement Mode { get; }

    /// <summary>With <see cref="Placement.Auto"/>: models with fewer parameters run on the pool.</summary>
    public long PoolBelowParameters { get; }

    public ModelDispatchers(ExtendedActorSystem system)
    {
        var config = system.Settings.Config.GetConfig(RlhfActors.ModelDispatcher)
            ?? throw new ConfigurationException($"{RlhfActors.ModelDispatcher} is missing (RlhfActors.AkkaConfig must be under the system's config)");
        Mode = ModeOf(config);
        if (!config.HasPath("pool-below-parameters")) throw Bad("pool-below-parameters", "is missing");
        PoolBelowParameters = config.GetLong("pool-below-parameters");
        if (PoolBelowParameters < 0) throw Bad("pool-below-parameters", $"= {PoolBelowParameters} must be >= 0");
        if (Mode == Placement.Threads) return;
        var pool = ConfigurationFactory.ParseString($"id = \"{PoolId}\"\nthread-per-actor = off").WithFallback(config)
            .WithFallback(system.Dispatchers.DefaultDispatcherConfig);                 // as Akka completes a dispatcher it finds in config
        system.Dispatchers.RegisterConfigurator(PoolId, new ModelDispatcherConfigurator(pool, system.Dispatchers.Prerequisites));
    }

    public static ModelDispatchers Get(ActorSystem system) => system.WithExtension<ModelDispatchers, Provider>();

    /// <summary>The dispatcher id of an actor whose model has <paramref name="parameters"/> parameters.</summary>
    public string For(long parameters) => Mode switch
    {
        Placement.Threads => RlhfActors.ModelDispatcher,
        Placement.Pool => PoolId,
        _ => parameters < PoolBelowParameters ? PoolId : RlhfActors.ModelDispatcher,
    };

    /// <summary><c>thread-per-actor</c> of a model dispatcher's config: on (true, yes), off (false, no) or auto.</summary>
    internal static Placement ModeOf(Config config) => config.GetString("thread-per-actor", null)?.ToLowerInvariant() switch
    {
        "on" or "true" or "yes" => Placement.Threads,
        "off" or "false" or "no" => Placement.Pool,
        "auto" => Placement.Auto,
        null => throw Bad("thread-per-actor", "is missing"),
        var other => throw Bad("thread-per-actor", $"= \"{other}\" must be on, off or auto"),
    };

    /// <summary>The error of key <paramref name="key"/> of <c>akka.rlhf.model-dispatcher</c>, naming it.</summary>
    private static ConfigurationException Bad(string key, string problem) =>
        new($"{RlhfActors.ModelDispatcher}.{key} {problem}", path: $"{RlhfActors.ModelDispatcher}.{key}");

    private sealed class Provider : ExtensionIdProvider<ModelDispatchers>
    {
        public override ModelDispatchers CreateExtension(ExtendedActorSystem system) => new(system);
    }
}
