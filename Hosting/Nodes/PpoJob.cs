using System.Text.Json;
using AkkaRlhf.Actors.Messages;
using AkkaRlhf.Actors.Pipeline;
using AkkaRlhf.Configuration;
using AkkaRlhf.Hosting.Commands;
using AkkaRlhf.Models;
using AkkaRlhf.Persistence;

namespace AkkaRlhf.Hosting.Nodes;

/// <summary>
/// A PPO stage as a cluster runs it: the same inputs on every member (models from the same checkpoints, the same data
/// and seed), the run's journal and its folder. <see cref="StageDir"/> holds <c>model/</c>, <c>checkpoints/</c> and
/// <c>cluster.json</c>; the journal id is <c>RUNID.ppo</c>. A role member needs only <see cref="Models"/>; the learner
/// members (the singleton's candidates) need everything.
/// </summary>
/// <param name="Sft">The SFT policy (policy, reference, the critic's trunk).</param>
/// <param name="Reward">The reward model with its normalisation (null: another reward).</param>
/// <param name="Observe">Extra metrics per rollout (the demo's hidden true reward).</param>
/// <param name="WriteReport">Write report.json/html into the stage folder at the end (train ppo; the demo writes its own).</param>
internal sealed record PpoJob(Config Config, PipelineSettings Settings, PipelineData Data, Func<GptLM> Sft, Func<TrainedRewardModel?> Reward,
    Func<RolloutBatch, IReadOnlyDictionary<string, double>>? Observe, string RunDir, string StageDir, bool WriteReport)
{
    public string RunId => Path.GetFileName(RunDir);
    public string JournalId => $"{RunId}.ppo";
    public string ModelDir => Path.Combine(StageDir, "model");
    public string ResultFile => Path.Combine(StageDir, "cluster.json");
    public PersistenceSettings Persistence => RunFolders.Persistence(Config, RunDir);

    /// <summary>The models every role of the run is built from.</summary>
    public PpoModels Models() => PpoModels.Create(Sft(), Reward(), Data.Tokenizer, Settings.Ppo);

    /// <summary><c>train ppo</c>'s stage: data from <c>akka-rlhf.data</c>, checkpoints from --sft / --rm, outputs in <paramref name="runDir"/>.</summary>
    public static PpoJob FromFiles(Config config, PipelineSettings settings, string runDir, string? sft, string? rm, string command)
    {
        var inputs = new RunInputs(config, command, sft, "--sft");
        var eval = inputs.PreferencesEval();
        var data = new PipelineData(inputs.Tokenizer, inputs.Template, [], [], eval, null,
            [.. inputs.Read<Models.Data.PromptExample>("prompts").Select(p => p.Prompt)]);
        return new PpoJob(config, settings, data, () => inputs.LoadSft(sft), () => inputs.LoadReward(settings.Ppo, rm, eval), null,
            Path.GetFullPath(runDir), Path.GetFullPath(runDir), WriteReport: true);
    }

    /// <summary>The demo's PPO stage of the demo run in <paramref name="runDir"/> (its sft/ and rm/ finished): the synthetic task of the seed.</summary>
    public static PpoJob Demo(Config config, PipelineSettings settings, string runDir)
    {
        var (data, _) = DemoCommand.SyntheticData(settings);
        runDir = Path.GetFullPath(runDir);
        return new PpoJob(config, settings, data, () => ModelLoader.Load(Path.Combine(runDir, "sft")).LM, () => new TrainedRewardModel(
                (GptReward)ModelLoader.Load(Path.Combine(runDir, "rm")).Model,
                JsonSerializer.Deserialize<Dictionary<string, double>>(File.ReadAllText(Path.Combine(runDir, "rm-summary.json")))!),
            DemoCommand.TrueRewardOf(AkkaRlhf.Models.Synthetic.SyntheticTask.Tokenizer), runDir, Path.Combine(runDir, "ppo"), WriteReport: false);
    }

    /// <summary>The outcome written at the end of the run (<c>cluster.json</c>), so a member that takes over a finished run can say so.</summary>
    public sealed record Result(IReadOnlyDictionary<string, double> Summary, IReadOnlyList<WorkAccounting> Work);

    public void SaveResult(Result result) => File.WriteAllText(ResultFile, JsonSerializer.Serialize(result));

    public Result? LoadResult() => File.Exists(ResultFile) && ModelLoader.IsIn(ModelDir) ? JsonSerializer.Deserialize<Result>(File.ReadAllText(ResultFile)) : null;
}
