using AkkaRlhf.Actors.Messages;
using AkkaRlhf.Actors.Pipeline;
using AkkaRlhf.Configuration;
using AkkaRlhf.Models;
using AkkaRlhf.Models.Synthetic;
using TorchSharp;
using static TorchSharp.torch;

namespace AkkaRlhf.TestKit;

/// <summary>
/// A tiny deterministic task for message-level specs: a 10-word vocabulary, one-layer models (seeded: the same seed gives
/// the same weights), short prompts, PPO settings of a micro run whose rule-based reward likes the word "good".
/// Every model builds in milliseconds on a CPU.
/// </summary>
public static class Tiny
{
    public static readonly WordTokenizer Tokenizer = new(["good", "bad", "a", "b", "c", "d", "e"]);
    public static readonly ChatTemplate Template = new("", " <sep>");
    public static readonly GptConfig Config = new() { VocabSize = 10, BlockSize = 24, NLayer = 1, NHead = 1, NEmbd = 16 };
    public static readonly IReadOnlyList<string> Prompts = ["a", "b", "c", "a b", "b c", "c d", "d e", "e a", "a c e", "b d"];

    /// <summary>The id of "good", the word the rule-based reward of <see cref="Ppo"/> counts.</summary>
    public static int Good => Tokenizer.IdOf("good")!.Value;

    static Tiny() => torch.set_num_threads(1);

    /// <summary>A fresh policy, initialised from <paramref name="seed"/>.</summary>
    public static GptLM Policy(ulong seed = 1)
    {
        using var g = new Generator(seed);
        return new GptLM(Config, g);
    }

    /// <summary>A fresh reward model, initialised from <paramref name="seed"/>.</summary>
    public static GptReward Reward(ulong seed = 2)
    {
        using var g = new Generator(seed);
        return new GptReward(Config, g);
    }

    /// <summary>A batch of prompt + response rows (responses end with EOS).</summary>
    public static SequenceBatch Batch(params (string Prompt, string Response)[] rows) =>
        SequenceBatch.From(
            rows.Select(r => (IReadOnlyList<int>)Template.EncodePrompt(Tokenizer, r.Prompt)).ToList(),
            rows.Select(r => (IReadOnlyList<int>)[.. Tokenizer.Encode(r.Response), Tokenizer.EosId]).ToList(),
            Tokenizer.PadId);

    /// <summary>Every stage's settings as the module's reference.conf gives them (start from these and change what a spec needs).</summary>
    public static PipelineSettings Settings { get; } = PipelineSettings.FromConfig(ConfigurationFactory.Empty);

    /// <summary>PPO settings for a micro run: small batches, a rule-based reward on "good".</summary>
    public static PpoSettings Ppo(int iterations, string learner = "ppo", string reward = "rule-based") => Settings.Ppo with
    {
        Iterations = iterations,
        PromptsPerIteration = 32,
        Seed = 7,
        RetryAttempts = 3,
        AskTimeout = TimeSpan.FromSeconds(20),
        NormalizeRewards = false,
        Kl = Settings.Ppo.Kl with { Beta = 0.01 },
        Generator = Role("rollout", "pool-size = 2"),
        Reference = Role("reference", ""),
        Reward = Role(reward, "positive-words = [good]\nmissing-eos-penalty = 0"),
        Critic = Role("critic", ""),
        Learner = Role(learner, ""),
        Sampling = Settings.Ppo.Sampling with { MaxNewTokens = 6 },
        CriticOptions = Settings.Ppo.CriticOptions with { Lr = 3e-3, MinibatchSize = 16 },
        LearnerOptions = Settings.Ppo.LearnerOptions with { Lr = 1e-2, MinibatchSize = 16, GroupSize = 4, KlCoef = 0.01 },
    };

    /// <summary>The settings of a role block: its <paramref name="type"/> and more HOCON keys (on the cpu, no pool, local).</summary>
    public static RoleSettings Role(string type, string block) =>
        RoleSettings.FromConfig(ConfigurationFactory.ParseString($"type = \"{type}\"\ndevice = cpu\npool-size = 1\ntorch-threads = 0\n{block}"));

    /// <summary>The PPO models around <paramref name="policy"/>: a reference policy, a critic when asked.</summary>
    public static PpoModels Models(GptLM policy, bool critic = true) =>
        new(policy, Policy(), null, critic ? new GptValue(Config, new Generator(3)) : null, Tokenizer);
}

/// <summary>Collects progress in memory (thread-safe).</summary>
public sealed class RecordingProgress : IProgressReporter
{
    private readonly List<(string Stage, int Step, IReadOnlyDictionary<string, double> Metrics)> _steps = [];

    /// <summary>Every step reported so far, in order.</summary>
    public IReadOnlyList<(string Stage, int Step, IReadOnlyDictionary<string, double> Metrics)> Steps
    {
        get { lock (_steps) return _steps.ToList(); }
    }

    /// <inheritdoc />
    public void StageStarted(string stage, int totalSteps) { }

    /// <inheritdoc />
    public void StepCompleted(string stage, int step, IReadOnlyDictionary<string, double> metrics)
    {
        lock (_steps) _steps.Add((stage, step, new Dictionary<string, double>(metrics)));
    }

    /// <inheritdoc />
    public void StageCompleted(string stage, IReadOnlyDictionary<string, double> summary) { }
}
