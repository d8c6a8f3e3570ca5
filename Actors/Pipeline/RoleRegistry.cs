using AkkaRlhf.Actors.Plugins;
using AkkaRlhf.Actors.Roles;
using AkkaRlhf.Configuration;
using Akka.Actor;
using Akka.Routing;

namespace AkkaRlhf.Actors.Pipeline;

/// <summary>
/// Resolves a role's <c>type</c> to <see cref="Props"/>: a registered short name ("rollout", "ppo",
/// "grpo", "rule-based", ...) or an assembly-qualified type name. A type from another assembly needs
/// either a <c>public static Props Props(RoleContext)</c> method or a constructor taking a
/// <see cref="RoleContext"/>. A pool size above 1 puts the role behind a round-robin pool router.
/// </summary>
public sealed class RoleRegistry
{
    private readonly Dictionary<string, Func<RoleContext, Props>> _factories = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The built-in roles and the two shipped plug-ins.</summary>
    public static RoleRegistry Default => new RoleRegistry()
        .Register("rollout", c => RolloutGenerator.Props(c.Models.InitialPolicy ?? c.Models.Policy, c.Ppo.Sampling,
            c.Models.Tokenizer.PadId, c.Models.Tokenizer.EosId, c.Seed, c.Device, frozenInitial: c.Models.InitialPolicy is not null, torchThreads: c.Settings.TorchThreads))
        .Register("reference", c => ReferenceScorer.Props(c.Models.Reference, c.Device, c.Settings.TorchThreads))
        .Register("reward-model", c => RewardScorer.Props(c.Models.Reward ?? throw Missing(c, "a reward model"), c.Device,
            c.Ppo.NormalizeRewards ? c.Models.RewardNormalizer : null, c.Settings.TorchThreads))
        .Register("critic", c => Critic.Props(c.Models.Critic ?? throw Missing(c, "a critic model"), c.Ppo.CriticOptions, c.Device, c.Seed,
            c.Ppo.CriticSchedule, c.Settings.TorchThreads))
        .Register("ppo", c => PpoLearner.Props(c.Models.Policy, c.Ppo.LearnerOptions, c.Device, c.Seed, schedule: c.Ppo.LearnerSchedule,
            torchThreads: c.Settings.TorchThreads, shareWeights: c.Ppo.Mode == PipelineMode.Sync))
        .Register("grpo", GrpoLearner.Props)
        .Register("rule-based", RuleBasedRewardScorer.Props);

    /// <summary>Adds (or replaces) a short name.</summary>
    public RoleRegistry Register(string name, Func<RoleContext, Props> factory)
    {
        _factories[name] = factory;
        return this;
    }

    /// <summary>True when <paramref name="name"/> is a registered role type (not a plug-in's assembly-qualified type name).</summary>
    public bool IsRegistered(string name) => _factories.ContainsKey(name);

    /// <summary>
    /// The props of the role <paramref name="context"/> describes, on the model dispatcher <paramref name="system"/> gives
    /// the model it runs (by its size: <see cref="Dispatch.ModelDispatchers"/>), behind a pool router when its pool size is above 1.
    /// </summary>
    public Props Resolve(RoleContext context, ActorSystem system)
    {
        var props = Create(context).OnModelDispatcher(system, ModelOf(context));
        return context.Settings.PoolSize > 1 ? props.WithRouter(new RoundRobinPool(context.Settings.PoolSize)) : props;
    }

    /// <summary>The model the role of a PPO block runs: the block's own; the policy's for the generator, the learner and a model-free role.</summary>
    private static TorchSharp.torch.nn.Module ModelOf(RoleContext c) => c.Role switch
    {
        "reference" => c.Models.Reference,
        "reward" when c.Models.Reward is { } reward => reward,
        "critic" when c.Models.Critic is { } critic => critic,
        _ => c.Models.Policy,
    };

    private Props Create(RoleContext context)
    {
        var name = context.Settings.Type;
        if (_factories.TryGetValue(name, out var factory)) return factory(context);
        var type = System.Type.GetType(name, throwOnError: false)
            ?? throw new ConfigurationException(
                $"akka-rlhf.ppo.{context.Role}.type = \"{name}\": not a registered role ({string.Join(", ", _factories.Keys)}) " +
                "and no type of that assembly-qualified name could be loaded");
        if (!typeof(ActorBase).IsAssignableFrom(type))
            throw new ConfigurationException($"akka-rlhf.ppo.{context.Role}.type = \"{name}\" is not an actor type");
        var propsMethod = type.GetMethod("Props", [typeof(RoleContext)]);
        if (propsMethod is { IsStatic: true } && propsMethod.ReturnType == typeof(Props))
            return (Props)propsMethod.Invoke(null, [context])!;
        if (type.GetConstructor([typeof(RoleContext)]) is null)
            throw new ConfigurationException($"role type {type.FullName} needs a static Props(RoleContext) method or a constructor taking a RoleContext");
        return Props.Create(() => (ActorBase)Activator.CreateInstance(type, context)!);
    }

    private static ConfigurationException Missing(RoleContext c, string what) =>
        new($"role {c.Role} (type {c.Settings.Type}) needs {what}, and the run has none");
}
