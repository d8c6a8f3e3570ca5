using AkkaRlhf.Configuration;
using AkkaRlhf.Models;
using AkkaRlhf.Models.Training;
using AkkaRlhf.Models.Losses;

namespace AkkaRlhf.Actors.Pipeline;

/// <summary>Synchronous (on-policy) or asynchronous (generation overlaps learning, bounded staleness).</summary>
public enum PipelineMode { Sync, Async }

/// <summary>How a rollout generator samples (<c>akka-rlhf.ppo.generator</c>); <paramref name="MicroBatchSize"/> sequences per pass (0 = all).</summary>
public sealed record GeneratorSettings(int MaxNewTokens, double Temperature, int TopK, int MicroBatchSize = 0)
{
    public static GeneratorSettings FromConfig(Config c) => new(c.GetInt("max-new-tokens"), c.GetDouble("temperature"), c.GetInt("top-k"),
        SettingRange.MicroBatchSize(c, "akka-rlhf.ppo.generator"));
}

/// <summary>The critic's training (<c>akka-rlhf.ppo.critic</c>).</summary>
public sealed record CriticSettings(double Lr, int Epochs, int MinibatchSize, double ValueClip, bool InitFromReward, double MaxGradNorm,
    int MicroBatchSize = 0, int WarmupIterations = 0, double MinLrRatio = 1.0)
{
    public static CriticSettings FromConfig(Config c) => new(
        c.GetDouble("lr"), c.GetInt("epochs"), c.GetInt("minibatch-size"), c.GetDouble("value-clip"),
        c.GetBoolean("init-from-reward"), c.GetDouble("max-grad-norm"), SettingRange.MicroBatchSize(c, "akka-rlhf.ppo.critic"),
        SettingRange.Check(c, "akka-rlhf.ppo.critic", "warmup-iterations", c.GetInt("warmup-iterations"), 0),
        SettingRange.Check(c, "akka-rlhf.ppo.critic", "min-lr-ratio", c.GetDouble("min-lr-ratio"), 0.0, 1.0));

    /// <summary>The value clip, null when off (value-clip = 0).</summary>
    public double? ValueClipOrNull => ValueClip > 0 ? ValueClip : null;
}

/// <summary>The policy loss's form: PPO-clip (KL in the rewards) or seed 004's PPO-penalty (KL(old || new) in the loss).</summary>
public enum PolicyLossForm { Clip, Penalty }

/// <summary>The learner's training (<c>akka-rlhf.ppo.learner</c>); GRPO reads group-size and kl-coef too.</summary>
public sealed record LearnerSettings(double Lr, int Epochs, int MinibatchSize, double ClipEps, double DualClip, double EntropyCoef,
    PolicyLossForm Loss, double PenaltyBeta, double MaxGradNorm, bool RecomputeOldLogProbs, int GroupSize, double KlCoef, int MicroBatchSize = 0,
    int WarmupIterations = 0, double MinLrRatio = 1.0)
{
    public static LearnerSettings FromConfig(Config c) => new(
        c.GetDouble("lr"), c.GetInt("epochs"), c.GetInt("minibatch-size"), c.GetDouble("clip-eps"),
        c.GetDouble("dual-clip"), c.GetDouble("entropy-coef"),
        c.GetString("loss").ToLowerInvariant() switch
        {
            "clip" => PolicyLossForm.Clip,
            "penalty" => PolicyLossForm.Penalty,
            var s => throw new ConfigurationException($"{c.GetValue("loss")?.Origin}: akka-rlhf.ppo.learner.loss = \"{s}\" must be clip or penalty", c.GetValue("loss")?.Origin, "akka-rlhf.ppo.learner.loss"),
        },
        c.GetDouble("penalty-beta"), c.GetDouble("max-grad-norm"), c.GetBoolean("recompute-old-logprobs"),
        c.GetInt("group-size"), c.GetDouble("kl-coef"), SettingRange.MicroBatchSize(c, "akka-rlhf.ppo.learner"),
        SettingRange.Check(c, "akka-rlhf.ppo.learner", "warmup-iterations", c.GetInt("warmup-iterations"), 0),
        SettingRange.Check(c, "akka-rlhf.ppo.learner", "min-lr-ratio", c.GetDouble("min-lr-ratio"), 0.0, 1.0));

    /// <summary>The dual-clip bound, null when off (dual-clip = 0).</summary>
    public double? DualClipOrNull => DualClip > 1 ? DualClip : null;
}

/// <summary>The KL penalty in the rewards (<c>akka-rlhf.ppo.kl</c>).</summary>
public sealed record KlSettings(KlEstimator Estimator, double Beta, bool Adaptive, double Target, long Horizon, double ScoreClip)
{
    public static KlSettings FromConfig(Config c) => new(
        c.GetString("estimator").ToLowerInvariant() switch
        {
            "k1" => KlEstimator.K1,
            "k2" => KlEstimator.K2,
            "k3" => KlEstimator.K3,
            var s => throw new ConfigurationException($"{c.GetValue("estimator")?.Origin}: akka-rlhf.ppo.kl.estimator = \"{s}\" must be k1, k2 or k3", c.GetValue("estimator")?.Origin, "akka-rlhf.ppo.kl.estimator"),
        },
        c.GetDouble("beta"), c.GetBoolean("adaptive"), c.GetDouble("target"), c.GetLong("horizon"), c.GetDouble("score-clip"));

    public IKlController CreateController() => Adaptive ? new AdaptiveKlController(Beta, Target, Horizon) : new FixedKlController(Beta);
}

/// <summary>The PPO stage (<c>akka-rlhf.ppo</c>): the iteration loop and every role's block.</summary>
public sealed record PpoSettings
{
    public required int Iterations { get; init; }
    public required int PromptsPerIteration { get; init; }
    public required PipelineMode Mode { get; init; }
    /// <summary>Async mode: the oldest policy version a batch may come from, as versions behind the learner.</summary>
    public required int MaxStaleness { get; init; }
    public required KlSettings Kl { get; init; }
    public required double Gamma { get; init; }
    public required double Lambda { get; init; }
    public required bool WhitenAdvantages { get; init; }
    public required int RetryAttempts { get; init; }
    public required TimeSpan AskTimeout { get; init; }
    /// <summary>Backoff of a failed request and restart limit of a role (<c>retry.min-backoff</c>, <c>max-backoff</c>, <c>max-restarts</c>, <c>restart-window</c>).</summary>
    public required RoleRestarts Restarts { get; init; }
    /// <summary>Reward scores are normalised with the reward model's held-out mean and std when known.</summary>
    public required bool NormalizeRewards { get; init; }
    public required long Seed { get; init; }
    /// <summary>How long the trainer waits for a node of every cluster role before the run fails.</summary>
    public required TimeSpan ClusterWait { get; init; }

    public required RoleSettings Generator { get; init; }
    public required RoleSettings Reference { get; init; }
    public required RoleSettings Reward { get; init; }
    public required RoleSettings Critic { get; init; }
    public required RoleSettings Learner { get; init; }

    /// <summary>The generator block's sampling settings, read with everything else at start-up.</summary>
    public required GeneratorSettings Sampling { get; init; }

    /// <summary>The learner block's PPO/GRPO settings, read at start-up (a bad value fails before any training).</summary>
    public required LearnerSettings LearnerOptions { get; init; }

    /// <summary>The critic block's settings, read at start-up.</summary>
    public required CriticSettings CriticOptions { get; init; }

    /// <summary>LoRA on the policy and the critic (<c>akka-rlhf.ppo.lora</c>); null = full fine-tuning.</summary>
    public LoraConfig? Lora { get; init; }

    /// <summary>Reads <c>akka-rlhf.ppo</c> (<paramref name="c"/>, which carries the module's reference.conf: every default lives there).</summary>
    public static PpoSettings FromConfig(Config c, long seed) => DistinctClusterRoles(new()
    {
        Iterations = InRange(c, "iterations", c.GetInt("iterations"), 1),
        PromptsPerIteration = InRange(c, "prompts-per-iteration", c.GetInt("prompts-per-iteration"), 1),
        Mode = c.GetString("mode").ToLowerInvariant() switch
        {
            "sync" => PipelineMode.Sync,
            "async" => PipelineMode.Async,
            var s => throw new ConfigurationException($"{c.GetValue("mode")?.Origin}: akka-rlhf.ppo.mode = \"{s}\" must be sync or async", c.GetValue("mode")?.Origin, "akka-rlhf.ppo.mode"),
        },
        MaxStaleness = InRange(c, "max-staleness", c.GetInt("max-staleness"), 0),
        Kl = KlSettings.FromConfig(c.GetConfig("kl")),
        Gamma = InRange(c, "gae.gamma", c.GetDouble("gae.gamma"), 0, 1),
        Lambda = InRange(c, "gae.lambda", c.GetDouble("gae.lambda"), 0, 1),
        WhitenAdvantages = c.GetBoolean("whiten-advantages"),
        RetryAttempts = InRange(c, "retry.attempts", c.GetInt("retry.attempts"), 1),
        AskTimeout = c.GetTimeSpan("retry.timeout"),
        Restarts = new RoleRestarts(c.GetTimeSpan("retry.min-backoff"),
            c.GetTimeSpan("retry.max-backoff"), InRange(c, "retry.max-restarts", c.GetInt("retry.max-restarts"), 0),
            c.GetTimeSpan("retry.restart-window")),
        NormalizeRewards = c.GetBoolean("normalize-rewards"),
        Seed = seed,
        Generator = RoleSettings.FromConfig(c.GetConfig("generator"), "akka-rlhf.ppo.generator"),
        Reference = RoleSettings.FromConfig(c.GetConfig("reference"), "akka-rlhf.ppo.reference"),
        Reward = RoleSettings.FromConfig(c.GetConfig("reward"), "akka-rlhf.ppo.reward"),
        Critic = RoleSettings.FromConfig(c.GetConfig("critic"), "akka-rlhf.ppo.critic"),
        Learner = RoleSettings.FromConfig(LocalOnly(c.GetConfig("learner"), "learner"), "akka-rlhf.ppo.learner"),
        ClusterWait = c.GetTimeSpan("cluster-wait"),
        Sampling = GeneratorSettings.FromConfig(c.GetConfig("generator")),
        LearnerOptions = LearnerSettings.FromConfig(c.GetConfig("learner")),
        CriticOptions = CriticSettings.FromConfig(c.GetConfig("critic")),
        Lora = LoraSettings.FromConfig(c.GetConfig("lora"), "akka-rlhf.ppo.lora"),
    });

    /// <summary>Every role block by name; all but the learner (which stays with the trainer) may be served by cluster nodes.</summary>
    public IEnumerable<(string Block, RoleSettings Role)> Roles =>
        [("generator", Generator), ("reference", Reference), ("reward", Reward), ("critic", Critic), ("learner", Learner)];

    /// <summary>The cluster roles this run needs nodes for (those with <c>cluster.enabled = on</c>).</summary>
    public IReadOnlyList<string> ClusterRoles => Roles.Select(r => r.Role.UseRole).OfType<string>().Distinct().ToList();

    private static PpoSettings DistinctClusterRoles(PpoSettings s)
    {
        foreach (var (block, role) in s.Roles.Where(r => r.Role.UseRole is null))                    // a bad or unusable device fails here, at start-up
        {
            try { _ = role.ParsedDevice; }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException)
            {
                var origin = role.Block.GetValue("device")?.Origin;
                throw new ConfigurationException($"{origin}: akka-rlhf.ppo.{block}.device = \"{role.Device}\": {e.Message}", origin, $"akka-rlhf.ppo.{block}.device", e);
            }
        }
        var shared = s.Roles.Where(r => r.Role.UseRole is not null).GroupBy(r => r.Role.UseRole).FirstOrDefault(g => g.Count() > 1);
        return shared is null ? s : throw new ConfigurationException(
            $"akka-rlhf.ppo: {string.Join(" and ", shared.Select(r => r.Block))} both use the cluster role \"{shared.Key}\"; give each its own cluster.use-role");
    }

    /// <summary><paramref name="value"/> of <c>akka-rlhf.ppo.KEY</c> when within [<paramref name="min"/>, <paramref name="max"/>] (<see cref="SettingRange"/>).</summary>
    private static T InRange<T>(Config c, string key, T value, T min, T? max = null) where T : struct, IComparable<T> =>
        SettingRange.Check(c, "akka-rlhf.ppo", key, value, min, max);

    private static Config LocalOnly(Config block, string name) => !(block.HasPath("cluster.enabled") && block.GetBoolean("cluster.enabled")) ? block
        : throw new ConfigurationException($"akka-rlhf.ppo.{name}.cluster.enabled = on: the {name} runs in the trainer's process (only generator, reference, reward and critic can be served by cluster nodes)");

    public PpoSettings WithIterations(int n) => this with { Iterations = n };
    public PpoSettings WithMode(PipelineMode mode) => this with { Mode = mode };
    public PpoSettings WithMaxStaleness(int n) => this with { MaxStaleness = n };
    public PpoSettings WithKl(KlSettings kl) => this with { Kl = kl };
    public PpoSettings WithPromptsPerIteration(int n) => this with { PromptsPerIteration = n };
    public PpoSettings WithSeed(long seed) => this with { Seed = seed };
    public PpoSettings WithLearner(RoleSettings learner) => this with { Learner = learner };
    public PpoSettings WithReward(RoleSettings reward) => this with { Reward = reward };
    public PpoSettings WithGenerator(RoleSettings generator) => this with { Generator = generator };
    public PpoSettings WithLora(LoraConfig? lora) => this with { Lora = lora?.Validate() };

    /// <summary>The policy's learning rate per update (<see cref="Schedule"/>).</summary>
    public CosineSchedule LearnerSchedule => Schedule(LearnerOptions.Lr, LearnerOptions.WarmupIterations, LearnerOptions.MinLrRatio);

    /// <summary>The critic's learning rate per update (<see cref="Schedule"/>).</summary>
    public CosineSchedule CriticSchedule => Schedule(CriticOptions.Lr, CriticOptions.WarmupIterations, CriticOptions.MinLrRatio);

    /// <summary>
    /// A learning rate per update (policy version) from a block's <c>warmup-iterations</c> and <c>min-lr-ratio</c>: linear
    /// warm-up over the first updates, then cosine decay to lr * min-lr-ratio at the last iteration; the defaults (0, 1.0)
    /// keep lr constant.
    /// </summary>
    private CosineSchedule Schedule(double lr, int warmupIterations, double minLrRatio) =>
        new(lr, lr * minLrRatio, warmupIterations, Math.Max(warmupIterations + 1, Iterations));
}
