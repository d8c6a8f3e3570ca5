using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using AkkaRlhf.Actors.Pipeline;
using AkkaRlhf.Configuration;
using AkkaRlhf.Hosting.Reporting;
using AkkaRlhf.Models;
using AkkaRlhf.Models.Synthetic;
using AkkaRlhf.Persistence.Runs;
using Akka.Actor;
using TorchSharp;
using static TorchSharp.torch;

namespace AkkaRlhf.Hosting.Commands;

/// <summary>
/// <c>demo [--out DIR] [--seed N] [--listwise] [--beta-sweep] [--write-data DIR] [--set k=v]</c>: the
/// whole RLHF pipeline on the built-in synthetic task, through the actors, on CPU: SFT -> reward model
/// -> PPO with four models -> DPO from the same SFT model, then the table SFT vs PPO vs DPO on the
/// hidden true reward, fluency and KL, and report.json + report.html in the run folder. Each stage's output is a
/// checkpoint in the run folder (<c>sft/</c>, <c>rm/</c>, <c>ppo/model/</c>, <c>dpo/model/</c>); PPO and DPO are durable
/// (journal.db, <c>STAGE/checkpoints/</c>). <c>demo --resume RUN</c> skips the finished stages, continues the interrupted
/// one from its newest valid checkpoint, and runs the rest, with the arguments of the first start (command.json).
/// </summary>
public static class DemoCommand
{
    public static Command Create()
    {
        var output = new Option<string?>("--out") { Description = "run folder (default: runs/<timestamp>)" };
        var seed = new Option<int?>("--seed") { Description = "random seed (default: akka-rlhf.seed, 1234)" };
        var listwise = new Option<bool>("--listwise") { Description = "train the reward model with the listwise loss over K candidates" };
        var sweep = new Option<bool>("--beta-sweep") { Description = "also run PPO and DPO at a few betas (reward vs KL plot)" };
        var writeData = new Option<string?>("--write-data") { Description = "write the synthetic task's JSONL files into DIR and exit" };
        var config = new Option<string?>("--config") { Description = "user configuration file (HOCON)" };
        var resume = new Option<string?>("--resume") { Description = "continue the interrupted demo RUN (its folder, or its name under runs/)" };
        var cluster = new Option<int?>("--cluster") { Description = "run the PPO stage on N cluster member processes on loopback (N >= 3; docs/cluster.md)" };
        var chaos = new Option<string?>("--chaos") { Description = "with --cluster: kill-rollout@K kills the rollout member with SIGKILL at iteration K and starts a replacement" };
        var set = Options.Overrides();
        var demo = new Command("demo", "SFT -> reward model -> PPO and DPO on the synthetic task, with a report")
            { output, seed, listwise, sweep, writeData, config, resume, cluster, chaos, set };
        demo.SetAction(r => Cli.Run(() =>
        {
            var overrides = new List<string>(r.GetValue(set) ?? []);
            if (r.GetValue(seed) is { } s) overrides.Add($"akka-rlhf.seed={s}");
            if (r.GetValue(listwise)) overrides.Add("akka-rlhf.rm.listwise=on");
            var invocation = new RunFolders.Invocation(r.GetValue(config) is { } c ? Path.GetFullPath(c) : null, overrides, BetaSweep: r.GetValue(sweep),
                Cluster: r.GetValue(cluster) ?? 0, Chaos: r.GetValue(chaos));
            if (invocation.Chaos is not null && invocation.Cluster == 0) throw new ConfigurationException("--chaos needs --cluster N", path: "--chaos");
            _ = Nodes.ClusterDemo.Chaos.Parse(invocation.Chaos);
            string? resumeDir = null;
            if (r.GetValue(resume) is { } run)
            {
                resumeDir = RunFolders.ResumeFolder(run);
                invocation = RunFolders.LoadInvocation(resumeDir) ?? throw new ArgumentException($"--resume {run}: {resumeDir} has no command.json (not a demo run folder)");
            }
            var cfg = AppConfig.Load(invocation.ConfigFile, invocation.Overrides);
            var settings = PipelineSettings.FromConfig(cfg);
            if (r.GetValue(writeData) is { } dir) return WriteData(dir, settings.Seed);
            return Run(settings, cfg, resumeDir ?? r.GetValue(output), invocation, resumeDir is not null).GetAwaiter().GetResult();
        }));
        return demo;
    }

    private static int WriteData(string dir, long seed)
    {
        var files = SyntheticTask.Generate(seed).WriteJsonl(dir);
        Console.WriteLine($"wrote the synthetic task (seed {seed}) to {files.Directory}:");
        foreach (var f in files.DataFiles.Append(files.Vocabulary)) Console.WriteLine($"  {Path.GetFileName(f)}");
        return 0;
    }

    private static async Task<int> Run(PipelineSettings settings, Config config, string? outDir, RunFolders.Invocation invocation, bool resume)
    {
        var betaSweep = invocation.BetaSweep;
        var started = DateTimeOffset.Now;
        var clock = Stopwatch.StartNew();
        var runDir = Path.GetFullPath(outDir ?? Path.Combine("runs", $"demo-{started:yyyyMMdd-HHmmss}-seed{settings.Seed}"));
        var runId = Path.GetFileName(runDir);
        Directory.CreateDirectory(runDir);
        if (!resume) RunFolders.SaveInvocation(runDir, invocation);
        TorchThreads.SetProcessDefault(settings.TorchThreads);
        torch.manual_seed(settings.Seed);

        var (data, evalPrompts) = SyntheticData(settings);
        var (tokenizer, template) = (SyntheticTask.Tokenizer, SyntheticTask.ChatTemplate);
        var TrueReward = TrueRewardOf(tokenizer);

        var recorder = new MetricRecorder();
        using var display = new ProgressDisplay(Console.Out);
        var progress = new CompositeProgressReporter(display, recorder);
        var persistence = RunFolders.Persistence(config, runDir);
        var system = ActorSystems.Create("akka-rlhf-demo", config, persistence.ToAkkaConfig());
        var pipeline = new RlhfPipeline(system, settings, progress);
        var logs = new List<JournalRunLog>();
        async Task<Durability> Durable(string stage)
        {
            var log = await JournalRunLog.StartAsync(system, $"{runId}.{stage}", config.GetConfig("akka-rlhf").ToHocon(), settings.Seed,
                config.GetInt("akka-rlhf.checkpoint.keep-last", 3), persistence.SnapshotEvery, resume ? "its newest valid checkpoint" : null);
            logs.Add(log);
            return new Durability(log, Path.Combine(runDir, stage, "checkpoints"), config.GetInt("akka-rlhf.checkpoint.every", 5), resume,
                warning => Console.Error.WriteLine(warning));
        }
        void Skipped(string stage, string dir) => Console.WriteLine($"{stage}: finished before, loaded from {dir}");
        // a resumed run's report covers the whole run: finished stages' series are saved beside them, an interrupted
        // stage's earlier iterations come from its journal (a step run again after the resume replaces its point)
        string SeriesFile(string stage) => Path.Combine(runDir, $"{stage}-series.json");
        void SaveSeries(string stage) => File.WriteAllText(SeriesFile(stage), JsonSerializer.Serialize(recorder.SeriesOf(stage)));
        void RestoreSeries(string stage)
        {
            if (File.Exists(SeriesFile(stage))) recorder.Restore(JsonSerializer.Deserialize<List<MetricSeries>>(File.ReadAllText(SeriesFile(stage)))!);
        }
        async Task RestoreJournaled(string stage)
        {
            if (await new RunCatalog(system).ShowAsync($"{runId}.{stage}") is not { } journaled) return;
            foreach (var it in RunFolders.Latest(journaled.Iterations)) recorder.StepCompleted(stage, (int)it.Iteration, it.Metrics);
        }
        try
        {
            var sftDir = Path.Combine(runDir, "sft");
            GptLM sft;
            if (resume && Checkpoint.IsIn(sftDir)) { sft = ModelLoader.Load(sftDir).LM; Skipped("sft", sftDir); RestoreSeries("sft"); }
            else { (sft, _) = await pipeline.Sft(data); Checkpoint.Save(sftDir, sft, sft.config); SaveSeries("sft"); }

            var (rmDir, rmSummary) = (Path.Combine(runDir, "rm"), Path.Combine(runDir, "rm-summary.json"));
            TrainedRewardModel rm;
            if (resume && Checkpoint.IsIn(rmDir) && File.Exists(rmSummary))
            {
                rm = new TrainedRewardModel((GptReward)ModelLoader.Load(rmDir).Model,
                    JsonSerializer.Deserialize<Dictionary<string, double>>(File.ReadAllText(rmSummary))!);
                Skipped("rm", rmDir);
                RestoreSeries("rm");
            }
            else
            {
                rm = await pipeline.RewardModel(data, sft);
                Checkpoint.Save(rmDir, rm.Model, rm.Model.config);
                File.WriteAllText(rmSummary, JsonSerializer.Serialize(rm.Summary));
                SaveSeries("rm");
            }

            async Task<GptLM> DurableStage(string stage, Func<Durability, Task<GptLM>> train)
            {
                var modelDir = Path.Combine(runDir, stage, "model");
                if (resume) await RestoreJournaled(stage);
                if (resume && Checkpoint.IsIn(modelDir)) { Skipped(stage, modelDir); return ModelLoader.Load(modelDir).LM; }
                var durability = await Durable(stage);
                var policy = await train(durability);
                Checkpoint.Save(modelDir, policy, policy.config);
                await ((JournalRunLog)durability.Log).FinishAsync(RunStatus.Completed);
                logs.Remove((JournalRunLog)durability.Log);
                return policy;
            }
            ClusterReport? clusterReport = null;
            var ppo = invocation.Cluster > 0 ? await ClusteredPpo() : await DurableStage("ppo", async d => (await pipeline.Ppo(data, sft, rm, observe: TrueReward, durability: d)).Policy);
            async Task<GptLM> ClusteredPpo()                                              // the stage's journal and checkpoints are the members'
            {
                var modelDir = Path.Combine(runDir, "ppo", "model");
                if (!(resume && Checkpoint.IsIn(modelDir)))
                    (_, clusterReport) = await Nodes.ClusterDemo.RunAsync(runDir, invocation, invocation.Cluster, Nodes.ClusterDemo.Chaos.Parse(invocation.Chaos), progress);
                await RestoreJournaled("ppo");                                            // every iteration, as journaled by the coordinator(s)
                return ModelLoader.Load(modelDir).LM;
            }
            var dpo = await DurableStage("dpo", async d => (await pipeline.Dpo(data, sft, durability: d)).Policy);

            var sampling = settings.Ppo.Sampling with { Temperature = settings.EvalTemperature };
            ComparisonRow Row(string name, GptLM policy)
            {
                var e = Evaluator.Evaluate(policy, sft, rm.Model, evalPrompts, tokenizer, template, sampling, settings.Seed);
                var r = SyntheticTask.EvaluateIds(e.Rows, tokenizer);
                return new ComparisonRow(name, r.MeanReward, r.StdError, r.FluencyPercent, e.KlToReference, e.RewardModelScore);
            }
            var learnerName = settings.Ppo.Learner.Type.Equals("grpo", StringComparison.OrdinalIgnoreCase) ? "GRPO" : "PPO";
            var rows = new List<ComparisonRow> { Row("SFT", sft), Row(learnerName, ppo), Row("DPO", dpo) };

            var sweepPoints = new List<BetaSweepPoint>();
            if (betaSweep)
            {
                foreach (var beta in new[] { 0.01, 0.2 })
                {
                    var (p, _) = await pipeline.Ppo(data, sft, rm, settings.Ppo.WithKl(settings.Ppo.Kl with { Beta = beta }).WithIterations(Math.Max(1, settings.Ppo.Iterations / 2)),
                        TrueReward, $"ppo-beta-{beta}");
                    var row = Row($"PPO beta {beta}", p);
                    sweepPoints.Add(new BetaSweepPoint("PPO", beta, row.KlToReference, row.TrueReward));
                }
                foreach (var beta in new[] { 0.03, 0.5 })
                {
                    var (p, _) = await pipeline.Dpo(data, sft, settings.Dpo.WithBeta(beta).WithSteps(Math.Max(1, settings.Dpo.Steps / 2)), $"dpo-beta-{beta}");
                    var row = Row($"DPO beta {beta}", p);
                    sweepPoints.Add(new BetaSweepPoint("DPO", beta, row.KlToReference, row.TrueReward));
                }
                sweepPoints.Add(new BetaSweepPoint("PPO", settings.Ppo.Kl.Beta, rows[1].KlToReference, rows[1].TrueReward));
                sweepPoints.Add(new BetaSweepPoint("DPO", settings.Dpo.Beta, rows[2].KlToReference, rows[2].TrueReward));
            }

            var seconds = clock.Elapsed.TotalSeconds;
            var report = new RunReport(runId, (int)settings.Seed, started, seconds, recorder.Stages, recorder.Series, rows,
                rm.HeldOutAccuracy, Targets(rows, rm.HeldOutAccuracy, seconds), sweepPoints, SettingsOf(settings), clusterReport);
            display.Dispose();
            var files = ReportWriter.Write(runDir, report);
            ConsoleSummary.Print(report, Console.Out);
            Console.WriteLine($"report: {files.Html}");
            return 0;
        }
        catch (Exception e)
        {
            foreach (var log in logs)
                try { await log.FinishAsync(RunStatus.Failed, e.Message); } catch (Exception) { }
            throw;
        }
        finally { await system.Terminate(); }
    }

    /// <summary>The demo's data: the synthetic task of the run's seed, tokenized, and its evaluation prompts.</summary>
    internal static (PipelineData Data, List<string> EvalPrompts) SyntheticData(PipelineSettings settings)
    {
        var task = SyntheticTask.Generate(settings.Seed);
        var (tokenizer, template) = (SyntheticTask.Tokenizer, SyntheticTask.ChatTemplate);
        var data = new PipelineData(tokenizer, template,
            TokenizedData.Sft(task.Sft.Train, tokenizer, template),
            TokenizedData.Preferences(task.Preferences.Train, tokenizer, template),
            TokenizedData.Preferences(task.Preferences.Eval, tokenizer, template),
            settings.RewardModel.Listwise ? TokenizedData.Rankings(task.Rankings.Train, tokenizer, template) : null,
            task.Prompts.Train.Select(p => p.Prompt).ToList());
        return (data, task.Prompts.Eval.Take(settings.EvalPrompts).Select(p => p.Prompt).ToList());
    }

    /// <summary>The synthetic task's hidden true reward and fluency of a rollout (extra PPO metrics of the demo).</summary>
    internal static Func<AkkaRlhf.Actors.Messages.RolloutBatch, IReadOnlyDictionary<string, double>> TrueRewardOf(WordTokenizer tokenizer) => rollout =>
    {
        var rows = Enumerable.Range(0, rollout.Batch.Count).Select(b =>
        {
            var (p, r) = rollout.Batch.Row(b);
            return ((IReadOnlyList<long>)p, (IReadOnlyList<long>)r);
        });
        var e = SyntheticTask.EvaluateIds(rows, tokenizer);
        return new Dictionary<string, double> { ["true_reward"] = e.MeanReward, ["fluency"] = e.FluencyPercent };
    };

    /// <summary>The demo's targets: RM accuracy, a true-reward gain of 2 SFT standard errors, fluency within 5 points, 10 minutes.</summary>
    private static List<TargetCheck> Targets(IReadOnlyList<ComparisonRow> rows, double rmAccuracy, double seconds)
    {
        var sft = rows[0];
        var targets = new List<TargetCheck> { new("RM held-out pairwise accuracy", rmAccuracy, ">= 0.75", rmAccuracy >= 0.75) };
        foreach (var row in rows.Skip(1))
        {
            var gain = (row.TrueReward - sft.TrueReward) / Math.Max(sft.TrueRewardStdErr, 1e-12);
            targets.Add(new($"{row.Model} true-reward gain over SFT (in SFT standard errors)", gain, ">= 2", gain >= 2));
            var drop = row.FluencyPercent - sft.FluencyPercent;
            targets.Add(new($"{row.Model} fluency change (points)", drop, ">= -5", drop >= -5));
        }
        targets.Add(new("wall time (s)", seconds, "<= 600", seconds <= 600));
        return targets;
    }

    private static Dictionary<string, string> SettingsOf(PipelineSettings s) => new()
    {
        ["seed"] = s.Seed.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["model"] = $"{s.Model.NLayer} layers, {s.Model.NHead} heads, {s.Model.NEmbd} wide",
        ["sft"] = $"{s.Sft.Steps} steps x {s.Sft.BatchSize}, lr {s.Sft.Optim.Lr}",
        ["rm"] = $"{(s.RewardModel.Listwise ? "listwise" : "pairwise")}, {s.RewardModel.Steps} steps x {s.RewardModel.BatchSize}",
        ["ppo"] = $"{s.Ppo.Learner.Type}, {s.Ppo.Mode}, {s.Ppo.Iterations} iterations x {s.Ppo.PromptsPerIteration}, beta {s.Ppo.Kl.Beta} ({s.Ppo.Kl.Estimator}{(s.Ppo.Kl.Adaptive ? ", adaptive" : "")}), reward {s.Ppo.Reward.Type}",
        ["dpo"] = $"{s.Dpo.Loss}, beta {s.Dpo.Beta}, {s.Dpo.Steps} steps x {s.Dpo.BatchSize}",
    };
}
