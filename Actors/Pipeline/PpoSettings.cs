using AkkaRlhf.Configuration;
using AkkaRlhf.Models.Losses;

namespace AkkaRlhf.Actors.Pipeline;

/// <summary>Synchronous (on-policy) or asynchronous (generation overlaps learning, bounded staleness).</summary>
public enum PipelineMode { Sync, Async }

/// <summary>How a rollout generator samples (<c>akka-rlhf.ppo.generator</c>).</summary>
public sealed record GeneratorSettings(int MaxNewTokens = 10, double Temperature = 1.0, int TopK = 0)
{
    public static GeneratorSettings FromConfig(Config c) => new(
        c.GetInt("max-new-tokens", 10), c.GetDouble("temperature", 1.0), c.GetInt("top-k", 0));
}

/// <summary>The critic's training (<c>akka-rlhf.ppo.critic</c>).</summary>
public sealed record CriticSettings(double Lr = 1e-3, int Epochs = 2, int MinibatchSize = 32, double ValueClip = 0.2,
    bool InitFromReward = true, double MaxGradNorm = 1.0)
{
    public static CriticSettings FromConfig(Config c) => new(
        c.GetDouble("lr", 1e-3), c.GetInt("epochs", 2), c.GetInt("minibatch-size", 32), c.GetDouble("value-clip", 0.2),
        c.GetBoolean("init-from-reward", true), c.GetDouble("max-grad-norm", 1.0));

    /// <summary>The value clip, null when off (value-clip = 0).</summary>
    public double? ValueClipOrNull => ValueClip > 0 ? ValueClip : null;
}

/// <summary>The policy loss's form: PPO-clip (KL in the rewards) or seed 004's PPO-penalty (KL(old || new) in the loss).</summary>
public enum PolicyLossForm { Clip, Penalty }

/// <summary>The learner's training (<c>akka-rlhf.ppo.learner</c>); GRPO reads group-size and kl-coef too.</summary>
public sealed record LearnerSettings(double Lr = 1e-3, int Epochs = 2, int MinibatchSize = 32, double ClipEps = 0.2,
    double DualClip = 0, double EntropyCoef = 0, PolicyLossForm Loss = PolicyLossForm.Clip, double PenaltyBeta = 0.1,
    double MaxGradNorm = 1.0, bool RecomputeOldLogProbs = true, int GroupSize = 4, double KlCoef = 0.05)
{
    public static LearnerSettings FromConfig(Config c) => new(
        c.GetDouble("lr", 1e-3), c.GetInt("epochs", 2), c.GetInt("minibatch-size", 32), c.GetDouble("clip-eps", 0.2),
        c.GetDouble("dual-clip", 0), c.GetDouble("entropy-coef", 0),
        c.GetString("loss", "clip").ToLowerInvariant() switch
        {
            "clip" => PolicyLossForm.Clip,
            "penalty" => PolicyLossForm.Penalty,
            var s => throw new ConfigurationException($"{c.GetValue("loss")?.Origin}: akka-rlhf.ppo.learner.loss = \"{s}\" must be clip or penalty", c.GetValue("loss")?.Origin, "akka-rlhf.ppo.learner.loss"),
        },
        c.GetDouble("penalty-beta", 0.1), c.GetDouble("max-grad-norm", 1.0), c.GetBoolean("recompute-old-logprobs", true),
        c.GetInt("group-size", 4), c.GetDouble("kl-coef", 0.05));

    /// <summary>The dual-clip bound, null when off (dual-clip = 0).</summary>
    public double? DualClipOrNull => DualClip > 1 ? DualClip : null;
}

/// <summary>The KL penalty in the rewards (<c>akka-rlhf.ppo.kl</c>).</summary>
public sealed record KlSettings(KlEstimator Estimator = KlEstimator.K1, double Beta = 0.1, bool Adaptive = false,
    double Target = 1.0, long Horizon = 10000, double ScoreClip = 10)
{
    public static KlSettings FromConfig(Config c) => new(
        c.GetString("estimator", "k1").ToLowerInvariant() switch
        {
            "k1" => KlEstimator.K1,
            "k2" => KlEstimator.K2,
            "k3" => KlEstimator.K3,
            var s => throw new ConfigurationException($"{c.GetValue("estimator")?.Origin}: akka-rlhf.ppo.kl.estimator = \"{s}\" must be k1, k2 or k3", c.GetValue("estimator")?.Origin, "akka-rlhf.ppo.kl.estimator"),
        },
        c.GetDouble("beta", 0.1), c.GetBoolean("adaptive", false), c.GetDouble("target", 1.0), c.GetLong("horizon", 10000),
        c.GetDouble("score-clip", 10));

    public IKlController CreateController() => Adaptive ? new AdaptiveKlController(Beta, Target, Horizon) : new FixedKlController(Beta);
}

/// <summary>The PPO stage (<c>akka-rlhf.ppo</c>): the iteration loop and every role's block.</summary>
public sealed record PpoSettings
{
    public int Iterations { get; init; } = 60;
    public int PromptsPerIteration { get; init; } = 64;
    public PipelineMode Mode { get; init; } = PipelineMode.Sync;
    /// <summary>Async mode: the oldest policy version a batch may come from, as versions behind the learner.</summary>
    public int MaxStaleness { get; init; } = 1;
    public KlSettings Kl { get; init; } = new();
    public double Gamma { get; init; } = 1.0;
    public double Lambda { get; init; } = 0.95;
    public bool WhitenAdvantages { get; init; } = true;
    public int RetryAttempts { get; init; } = 3;
    public TimeSpan AskTimeout { get; init; } = TimeSpan.FromSeconds(120);
    /// <summary>Backoff of a failed request and restart limit of a role (<c>retry.min-backoff</c>, <c>max-backoff</c>, <c>max-restarts</c>, <c>restart-window</c>).</summary>
    public RoleRestarts Restarts { get; init; } = new(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(5), 10, TimeSpan.FromSeconds(60));
    /// <summary>Reward scores are normalised with the reward model's held-out mean and std when known.</summary>
    public bool NormalizeRewards { get; init; } = true;
    public long Seed { get; init; } = 1234;
    /// <summary>How long the trainer waits for a node of every cluster role before the run fails.</summary>
    public TimeSpan ClusterWait { get; init; } = TimeSpan.FromMinutes(2);

    public RoleSettings Generator { get; init; } = new("rollout", "cpu", 2, ConfigurationFactory.Empty);
    public RoleSettings Reference { get; init; } = new("reference", "cpu", 1, ConfigurationFactory.Empty);
    public RoleSettings Reward { get; init; } = new("reward-model", "cpu", 1, ConfigurationFactory.Empty);
    public RoleSettings Critic { get; init; } = new("critic", "cpu", 1, ConfigurationFactory.Empty);
    public RoleSettings Learner { get; init; } = new("ppo", "cpu", 1, ConfigurationFactory.Empty);

    /// <summary>The generator block's sampling settings, read with everything else at start-up.</summary>
    public GeneratorSettings Sampling { get; init; } = new();

    /// <summary>The learner block's PPO/GRPO settings, read at start-up (a bad value fails before any training).</summary>
    public LearnerSettings LearnerOptions { get; init; } = new();

    /// <summary>The critic block's settings, read at start-up.</summary>
    public CriticSettings CriticOptions { get; init; } = new();

    public static PpoSettings Default { get; } = new();

    public static PpoSettings FromConfig(Config c, long seed) => DistinctClusterRoles(new()
    {
        Iterations = InRange(c, "iterations", c.GetInt("iterations", Default.Iterations), 1),
        PromptsPerIteration = InRange(c, "prompts-per-iteration", c.GetInt("prompts-per-iteration", Default.PromptsPerIteration), 1),
        Mode = c.GetString("mode", "sync").ToLowerInvariant() switch
        {
            "sync" => PipelineMode.Sync,
            "async" => PipelineMode.Async,
            var s => throw new ConfigurationException($"{c.GetValue("mode")?.Origin}: akka-rlhf.ppo.mode = \"{s}\" must be sync or async", c.GetValue("mode")?.Origin, "akka-rlhf.ppo.mode"),
        },
        MaxStaleness = InRange(c, "max-staleness", c.GetInt("max-staleness", Default.MaxStaleness), 0),
        Kl = KlSettings.FromConfig(c.GetConfig("kl")),
        Gamma = InRange(c, "gae.gamma", c.GetDouble("gae.gamma", Default.Gamma), 0, 1),
        Lambda = InRange(c, "gae.lambda", c.GetDouble("gae.lambda", Default.Lambda), 0, 1),
        WhitenAdvantages = c.GetBoolean("whiten-advantages", Default.WhitenAdvantages),
        RetryAttempts = InRange(c, "retry.attempts", c.GetInt("retry.attempts", Default.RetryAttempts), 1),
        AskTimeout = c.GetTimeSpan("retry.timeout", Default.AskTimeout),
        Restarts = new RoleRestarts(c.GetTimeSpan("retry.min-backoff", Default.Restarts.MinBackoff),
            c.GetTimeSpan("retry.max-backoff", Default.Restarts.MaxBackoff), InRange(c, "retry.max-restarts", c.GetInt("retry.max-restarts", Default.Restarts.MaxRestarts), 0),
            c.GetTimeSpan("retry.restart-window", Default.Restarts.Window)),
        NormalizeRewards = c.GetBoolean("normalize-rewards", Default.NormalizeRewards),
        Seed = seed,
        Generator = RoleSettings.FromConfig(c.GetConfig("generator"), "rollout", "rollout"),
        Reference = RoleSettings.FromConfig(c.GetConfig("reference"), "reference", "reference"),
        Reward = RoleSettings.FromConfig(c.GetConfig("reward"), "reward-model", "reward"),
        Critic = RoleSettings.FromConfig(c.GetConfig("critic"), "critic", "critic"),
        Learner = LocalOnly(RoleSettings.FromConfig(c.GetConfig("learner"), "ppo"), "learner"),
        ClusterWait = c.GetTimeSpan("cluster-wait", Default.ClusterWait),
        Sampling = GeneratorSettings.FromConfig(c.GetConfig("generator")),
        LearnerOptions = LearnerSettings.FromConfig(c.GetConfig("learner")),
        CriticOptions = CriticSettings.FromConfig(c.GetConfig("critic")),
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

    /// <summary><paramref name="value"/> of <c>akka-rlhf.ppo.KEY</c> when within [<paramref name="min"/>, <paramref name="max"/>]; else a bad setting naming where it was set.</summary>
    private static T InRange<T>(Config c, string key, T value, T min, T? max = null) where T : struct, IComparable<T>
    {
        if (value.CompareTo(min) >= 0 && (max is not { } top || value.CompareTo(top) <= 0)) return value;
        var origin = c.GetValue(key)?.Origin;
        var allowed = max is { } m ? $"between {min} and {m}" : $">= {min}";
        throw new ConfigurationException($"{origin}: akka-rlhf.ppo.{key} = {value} must be {allowed}", origin, $"akka-rlhf.ppo.{key}");
    }

    private static RoleSettings LocalOnly(RoleSettings role, string block) => role.UseRole is null ? role
        : throw new ConfigurationException($"akka-rlhf.ppo.{block}.cluster.enabled = on: the {block} runs in the trainer's process (only generator, reference, reward and critic can be served by cluster nodes)");

    public PpoSettings WithIterations(int n) => this with { Iterations = n };
    public PpoSettings WithMode(PipelineMode mode) => this with { Mode = mode };
    public PpoSettings WithMaxStaleness(int n) => this with { MaxStaleness = n };
    public PpoSettings WithKl(KlSettings kl) => this with { Kl = kl };
    public PpoSettings WithPromptsPerIteration(int n) => this with { PromptsPerIteration = n };
    public PpoSettings WithSeed(long seed) => this with { Seed = seed };
    public PpoSettings WithLearner(RoleSettings learner) => this with { Learner = learner };
    public PpoSettings WithReward(RoleSettings reward) => this with { Reward = reward };
    public PpoSettings WithGenerator(RoleSettings generator) => this with { Generator = generator };
}
