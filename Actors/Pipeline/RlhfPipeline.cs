using AkkaRlhf.Actors.Messages;
using AkkaRlhf.Actors.Roles;
using AkkaRlhf.Models;
using AkkaRlhf.Models.Losses;
using Akka.Actor;
using TorchSharp;
using static TorchSharp.torch;

namespace AkkaRlhf.Actors.Pipeline;

/// <summary>Token data of a full run.</summary>
public sealed record PipelineData(
    ITokenizer Tokenizer,
    ChatTemplate Template,
    IReadOnlyList<TokenPair> Sft,
    IReadOnlyList<TokenPreference> Preferences,
    IReadOnlyList<TokenPreference> PreferencesEval,
    IReadOnlyList<TokenRanking>? Rankings,
    IReadOnlyList<string> Prompts);

/// <summary>A trained reward model with its held-out figures (accuracy, score mean and std).</summary>
public sealed record TrainedRewardModel(GptReward Model, IReadOnlyDictionary<string, double> Summary)
{
    public double HeldOutAccuracy => Summary.GetValueOrDefault("heldout_accuracy");
    public RewardNormalizer Normalizer => RewardNormalizer.Fixed(Summary.GetValueOrDefault("reward_mean"), Math.Max(1e-3, Summary.GetValueOrDefault("reward_std", 1)));
}

/// <summary>
/// The four stages, each run by its actors in <paramref name="system"/>: SFT (<see cref="SftTrainer"/>),
/// the reward model (<see cref="RewardModelTrainer"/>), PPO (<see cref="Trainer"/> with its roles) and
/// DPO (<see cref="DpoLearner"/> asking a <see cref="ReferenceScorer"/>). Each stage returns new models;
/// the inputs are never modified. Each stage actor runs under a <see cref="StageHost"/>, so a failure (in a
/// constructor, a step or a role's creation) fails the stage's task at once with its cause.
/// </summary>
public sealed class RlhfPipeline(ActorSystem system, PipelineSettings settings, IProgressReporter progress)
{
    private static readonly TimeSpan StageTimeout = TimeSpan.FromHours(12);
    private long _runs;

    public PipelineSettings Settings => settings;

    /// <summary>A fresh policy of the configured shape.</summary>
    public GptLM NewPolicy(ITokenizer tokenizer)
    {
        using var init = new Generator((ulong)settings.Seed);
        return new GptLM(settings.Model.ToGptConfig(tokenizer.VocabSize), init);
    }

    /// <summary>Stage 1: a copy of <paramref name="initial"/> (or a fresh model) fine-tuned on the SFT pairs.</summary>
    public async Task<(GptLM Model, IReadOnlyDictionary<string, double> Summary)> Sft(PipelineData data, GptLM? initial = null)
    {
        var model = initial is null ? NewPolicy(data.Tokenizer) : ModelCopies.Clone(initial, CPU);
        var summary = await Run(SftTrainer.Props(model, data.Sft, settings.Sft, data.Tokenizer.PadId, progress, settings.Seed + 1), model, "sft", settings.Sft.Steps);
        return (model, summary);
    }

    /// <summary>Stage 2: a reward model initialised from <paramref name="sft"/>'s trunk, trained on preferences (or rankings).</summary>
    public async Task<TrainedRewardModel> RewardModel(PipelineData data, GptLM sft)
    {
        using var init = new Generator((ulong)settings.Seed + 2);
        var model = ModelCopies.RewardFromLm(sft, init);
        var summary = await Run(RewardModelTrainer.Props(model, data.Preferences, data.Rankings, data.PreferencesEval, settings.RewardModel,
            data.Tokenizer.PadId, progress, settings.Seed + 2), model, "rm", settings.RewardModel.Steps);
        return new TrainedRewardModel(model, summary);
    }

    /// <summary>
    /// Stage 3: PPO (or a plug-in learner) from <paramref name="sft"/>, with pi_ref = <paramref name="sft"/>, r_phi = <paramref name="reward"/>;
    /// with LoRA the policy returned is plain, its adapters merged in.
    /// Roles with <c>cluster.enabled = on</c> are reached through <paramref name="remote"/>.
    /// </summary>
    public async Task<(GptLM Policy, IReadOnlyDictionary<string, double> Summary)> Ppo(PipelineData data, GptLM sft, TrainedRewardModel? reward,
        PpoSettings? ppo = null, Func<RolloutBatch, IReadOnlyDictionary<string, double>>? observe = null, string stage = "ppo",
        Durability? durability = null, IRemoteRoles? remote = null)
    {
        var resume = FindResume(durability);
        ppo ??= settings.Ppo;
        var models = PpoModels.Create(sft, reward, data.Tokenizer, ppo);
        var run = Interlocked.Increment(ref _runs);
        var prompts = system.ActorOf(PromptSource.Props(data.Prompts, data.Tokenizer, data.Template, ppo.Seed + 3, resume?.State.Cursor), $"prompts-{run}");
        var trainer = system.ActorOf(StageHost.Props(Trainer.Props(ppo, models, prompts, new Renamed(progress, stage), observe: observe,
            durability: durability, resume: resume, remote: remote), "trainer"), $"trainer-{run}");
        try
        {
            var done = await trainer.Ask<StageFinished>(new RunStage(run, ppo.Iterations), StageTimeout);
            return (ppo.Lora is null ? models.Policy : models.Policy.Merged(), done.Summary);
        }
        finally
        {
            system.Stop(trainer);
            system.Stop(prompts);
        }
    }

    /// <summary>
    /// Offline DPO from <paramref name="sft"/> (also the reference) on the preference pairs. With LoRA no reference actor
    /// is built (the learner's policy with its adapters off is the reference) and the policy returned is the plain model
    /// with the adapters merged in.
    /// </summary>
    public async Task<(GptLM Policy, IReadOnlyDictionary<string, double> Summary)> Dpo(PipelineData data, GptLM sft, DpoSettings? dpo = null, string stage = "dpo",
        Durability? durability = null)
    {
        dpo ??= settings.Dpo;
        var resume = FindResume(durability);
        var policy = ModelCopies.Clone(sft, CPU);
        var run = Interlocked.Increment(ref _runs);
        var reference = dpo.Lora is null
            ? system.ActorOf(ReferenceScorer.Props(sft, Devices.Parse(dpo.Device)).OnModelDispatcher(system, sft), $"dpo-reference-{run}")
            : ActorRefs.Nobody;
        try
        {
            var summary = await Run(DpoLearner.Props(policy, reference, data.Preferences, dpo, data.Tokenizer.PadId, progress, settings.Seed + 4,
                stage: stage, durability: durability, resume: resume), policy, stage, dpo.Steps);
            if (dpo.Lora is null) return (policy, summary);
            return (policy.Merged(), summary);
        }
        finally { if (dpo.Lora is null) system.Stop(reference); }
    }

    /// <summary>The newest valid checkpoint of a resumed durable stage (none: it starts from the beginning, with a warning).</summary>
    private static StageResume? FindResume(Durability? durability)
    {
        if (durability is not { Resume: true }) return null;
        var resume = StageCheckpoints.FindLatest(durability.CheckpointRoot, durability.Log.JournaledCheckpoints, durability.Warn);
        durability.Warn?.Invoke(resume is null
            ? $"no valid checkpoint under {durability.CheckpointRoot}: the stage starts from the beginning"
            : $"resuming after iteration {resume.State.Iteration} from {resume.Dir}");
        return resume;
    }

    private async Task<IReadOnlyDictionary<string, double>> Run(Props props, nn.Module model, string name, int steps)
    {
        var run = Interlocked.Increment(ref _runs);
        var actor = system.ActorOf(StageHost.Props(props.OnModelDispatcher(system, model), name), $"{name}-{run}");
        try { return (await actor.Ask<StageFinished>(new RunStage(run, steps), StageTimeout)).Summary; }
        finally { system.Stop(actor); }
    }

    /// <summary>Reports a PPO run under another stage name (e.g. "grpo", "ppo-beta-0.1").</summary>
    private sealed class Renamed(IProgressReporter inner, string stage) : IProgressReporter
    {
        public void StageStarted(string s, int totalSteps) => inner.StageStarted(stage, totalSteps);
        public void StepCompleted(string s, int step, IReadOnlyDictionary<string, double> metrics) => inner.StepCompleted(stage, step, metrics);
        public void StageCompleted(string s, IReadOnlyDictionary<string, double> summary) => inner.StageCompleted(stage, summary);
        public void StagePreparing(string s, string what, int done, int total) => inner.StagePreparing(stage, what, done, total);
    }
}
