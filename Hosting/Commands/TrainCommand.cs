using System.CommandLine;
using AkkaRlhf.Actors.Pipeline;
using AkkaRlhf.Actors.Roles;
using AkkaRlhf.Configuration;
using AkkaRlhf.Hosting.Nodes;
using AkkaRlhf.Hosting.Reporting;
using AkkaRlhf.Models;
using AkkaRlhf.Models.Data;
using AkkaRlhf.Models.Synthetic;
using Akka.Actor;
using TorchSharp;
using static TorchSharp.torch;

namespace AkkaRlhf.Hosting.Commands;

/// <summary>
/// <c>train sft|rm|ppo|dpo --config FILE [--set k=v] [--model DIR] [--rm DIR] [--out DIR]</c>: one stage on
/// user JSONL data (paths under <c>akka-rlhf.data</c>), through the same actors as the demo. <c>--model</c> is the model
/// the stage starts from (SFT: optional, else a fresh model of <c>akka-rlhf.model</c>; rm, ppo, dpo: the SFT model, also
/// given as <c>--sft</c>): a checkpoint or a Hugging Face GPT-2 folder, whose own tokenizer (vocab.json + merges.txt) then
/// serves the whole stage. The trained model is saved in <c>OUT/model</c> (a Hugging Face GPT-2 folder with such a
/// tokenizer, else a checkpoint) with report.json / report.html. The ppo and dpo stages are
/// durable: they journal into <c>OUT/journal.db</c> and checkpoint under <c>OUT/checkpoints</c> every
/// <c>akka-rlhf.checkpoint.every</c> iterations; <c>train ppo|dpo --resume RUN</c> continues an interrupted run
/// (with the arguments it was started with, from <c>OUT/command.json</c>).
/// </summary>
public static class TrainCommand
{
    public static Command Create()
    {
        var stage = new Argument<string>("STAGE") { Description = "sft, rm, ppo or dpo" };
        stage.AcceptOnlyFromAmong("sft", "rm", "ppo", "dpo");
        var config = new Option<string?>("--config") { Description = "user configuration file (HOCON), e.g. hocon/sft.conf" };
        var model = new Option<string?>("--model") { Description = "the model to start from: a checkpoint or a Hugging Face GPT-2 folder (with its tokenizer)" };
        var sft = new Option<string?>("--sft") { Description = "the SFT model rm, ppo and dpo start from (the same as --model)" };
        var rm = new Option<string?>("--rm") { Description = "reward-model checkpoint folder (ppo)" };
        var output = new Option<string?>("--out") { Description = "output folder (default: runs/train-STAGE-<timestamp>)" };
        var resume = new Option<string?>("--resume") { Description = "continue the interrupted ppo or dpo run RUN (its folder, or its name under runs/)" };
        var set = Options.Overrides();
        var train = new Command("train", "train one stage on JSONL data: sft, rm (reward model), ppo or dpo") { stage, config, model, sft, rm, output, resume, set };
        train.SetAction(r => Cli.Run(() =>
        {
            var name = r.GetValue(stage)!;
            string? resumeDir = null;
            RunFolders.Invocation? before = null;
            if (r.GetValue(resume) is { } run)
            {
                if (name is not ("ppo" or "dpo")) throw new ArgumentException("--resume works for the durable stages, ppo and dpo");
                resumeDir = RunFolders.ResumeFolder(run);
                before = RunFolders.LoadInvocation(resumeDir);
            }
            if (r.GetValue(model) is not null && r.GetValue(sft) is not null) throw new ArgumentException("give the model to start from once: --model or --sft");
            if (name == "sft" && r.GetValue(sft) is not null) throw new ArgumentException("train sft starts from --model DIR (--sft names the SFT model of the later stages)");
            static string? Full(string? path) => path is null ? null : Path.GetFullPath(path);
            var invocation = new RunFolders.Invocation(Full(r.GetValue(config)) ?? before?.ConfigFile,
                r.GetValue(set) is { Length: > 0 } given ? given : before?.Overrides ?? [],
                Full(r.GetValue(sft)) ?? before?.Sft, Full(r.GetValue(rm)) ?? before?.Rm, Model: Full(r.GetValue(model)) ?? before?.Model);
            var cfg = AppConfig.Load(invocation.ConfigFile, invocation.Overrides);
            if (name == "ppo" && PipelineSettings.FromConfig(cfg).Ppo.ClusterRoles.Count > 0 && !cfg.GetStringList("akka.cluster.roles", []).Contains("learner"))
                cfg = AppConfig.Load(invocation.ConfigFile, [.. invocation.Overrides,     // the process that trains hosts a coordinator candidate
                    $"akka.cluster.roles=[{string.Join(",", cfg.GetStringList("akka.cluster.roles", []).Append("learner").Select(x => $"\"{x}\""))}]"]);
            return Run(name, cfg, invocation, resumeDir ?? r.GetValue(output), resumeDir is not null).GetAwaiter().GetResult();
        }));
        return train;
    }

    private static async Task<int> Run(string stage, Config config, RunFolders.Invocation invocation, string? outDir, bool resume)
    {
        var (startDir, rmDir) = (invocation.Model ?? invocation.Sft, invocation.Rm);
        var settings = PipelineSettings.FromConfig(config);
        var inputs = new RunInputs(config, $"train {stage}", startDir, invocation.Model is null ? "--sft" : "--model");
        var (tokenizer, template) = (inputs.Tokenizer, inputs.Template);
        var started = DateTimeOffset.Now;
        var runDir = Path.GetFullPath(outDir ?? Path.Combine("runs", $"train-{stage}-{started:yyyyMMdd-HHmmss}"));
        Directory.CreateDirectory(runDir);
        var modelDir = Path.Combine(runDir, "model");
        if (resume && ModelLoader.IsIn(modelDir))
        {
            Console.WriteLine($"{runDir}: the {stage} stage already finished ({modelDir}); nothing to resume");
            return 0;
        }
        if (!resume) RunFolders.SaveInvocation(runDir, invocation);
        if (stage == "ppo" && settings.Ppo.ClusterRoles.Count > 0)                     // a cluster member that follows the run to its end
            return await NodeHost.RunAsync(PpoJob.FromFiles(config, settings, runDir, startDir, rmDir, "train ppo"), untilRunEnds: true, Console.Out);
        TorchThreads.SetProcessDefault(settings.TorchThreads);
        torch.manual_seed(settings.Seed);

        var pipelineData = new PipelineData(tokenizer, template,
            stage == "sft" ? TokenizedData.Sft(inputs.Required<SftExample>("sft"), tokenizer, template) : [],
            stage is "rm" or "dpo" && !(stage == "rm" && settings.RewardModel.Listwise) ? TokenizedData.Preferences(inputs.Required<PreferenceExample>("preferences"), tokenizer, template) : [],
            inputs.PreferencesEval(),
            stage == "rm" && settings.RewardModel.Listwise ? TokenizedData.Rankings(inputs.Required<RankingExample>("rankings"), tokenizer, template) : null,
            stage == "ppo" ? inputs.Required<PromptExample>("prompts").Select(p => p.Prompt).ToList() : []);

        var recorder = new MetricRecorder();
        using var display = new ProgressDisplay(Console.Out);
        var progress = new CompositeProgressReporter(display, recorder);
        var persistence = RunFolders.Persistence(config, runDir);
        var system = ActorSystems.Create("akka-rlhf-train", config, persistence.ToAkkaConfig());
        var pipeline = new RlhfPipeline(system, settings, progress);
        double? rmAccuracy = null;
        JournalRunLog? log = null;
        Durability? durability = null;
        if (stage is "ppo" or "dpo")
        {
            log = await JournalRunLog.StartAsync(system, $"{Path.GetFileName(runDir)}.{stage}", config.GetConfig("akka-rlhf").ToHocon(),
                settings.Seed, config.GetInt("akka-rlhf.checkpoint.keep-last", 3), persistence.SnapshotEvery, resume ? "its newest valid checkpoint" : null);
            durability = new Durability(log, Path.Combine(runDir, "checkpoints"), config.GetInt("akka-rlhf.checkpoint.every", 5), resume,
                warning => Console.Error.WriteLine(warning));
        }
        try
        {
            nn.Module trained;
            switch (stage)
            {
                case "sft":
                    trained = (await pipeline.Sft(pipelineData, startDir is null ? null : inputs.LoadSft(startDir))).Model;
                    break;
                case "rm":
                    if (pipelineData.PreferencesEval.Count == 0) throw new ConfigurationException("train rm needs akka-rlhf.data.preferences-eval (held-out pairs for the accuracy)");
                    var reward = await pipeline.RewardModel(pipelineData, inputs.LoadSft(startDir));
                    rmAccuracy = reward.HeldOutAccuracy;
                    trained = reward.Model;
                    break;
                case "ppo":
                    var sft = inputs.LoadSft(startDir);
                    var rm = inputs.LoadReward(settings.Ppo, rmDir, pipelineData.PreferencesEval);
                    trained = (await pipeline.Ppo(pipelineData, sft, rm, durability: durability)).Policy;
                    break;
                default:
                    trained = (await pipeline.Dpo(pipelineData, inputs.LoadSft(startDir), durability: durability)).Policy;
                    break;
            }
            ModelLoader.Save(modelDir, trained, tokenizer);
            if (tokenizer is WordTokenizer words) words.Save(Path.Combine(runDir, "vocab.txt"));
            var report = new RunReport(Path.GetFileName(runDir), (int)settings.Seed, started, (DateTimeOffset.Now - started).TotalSeconds,
                recorder.Stages, recorder.Series, [], rmAccuracy, [], [], new Dictionary<string, string> { ["stage"] = stage });
            display.Dispose();
            var files = ReportWriter.Write(runDir, report);
            Console.WriteLine($"saved {modelDir}; report: {files.Html}");
            if (log is not null) await log.FinishAsync(Persistence.Runs.RunStatus.Completed);
            return 0;
        }
        catch (Exception e) when (log is not null)
        {
            try { await log.FinishAsync(Persistence.Runs.RunStatus.Failed, e.Message); } catch (Exception) { }
            throw;
        }
        finally { await system.Terminate(); }
    }
}
