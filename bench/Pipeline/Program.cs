using System.Diagnostics;
using System.Globalization;
using AkkaRlhf.Actors.Messages;
using AkkaRlhf.Actors.Pipeline;
using AkkaRlhf.Actors.Roles;
using AkkaRlhf.Actors.Serialization;
using AkkaRlhf.Configuration;
using AkkaRlhf.Models;
using AkkaRlhf.Models.Synthetic;
using Akka.Actor;
using AkkaRlhf.Actors;
using TorchSharp;
using static TorchSharp.torch;

// bench/Pipeline: one PPO iteration through the actors (the demo's shapes, random weights):
//   1. time breakdown of a synchronous iteration (generate / score / learn / sync),
//   2. sync vs async throughput on the same config,
//   3. the synchronous iteration vs reference_ppo.py (python3-torch doing the same iteration in one process).
// 4. with --messaging: the share of the iteration spent in messaging, the actors vs the same code called directly (Messaging.cs).
// usage: dotnet run -c Release --project bench/Pipeline [iterations] [warmup]
//        dotnet run -c Release --project bench/Pipeline --messaging [iterations] [warmup] [rounds] [warm-up rounds]
var messaging = args.Length > 0 && args[0] == "--messaging";
if (messaging) args = args[1..];
var iterations = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 12;
var warmup = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3;
torch.set_num_threads(1);
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;

var tokenizer = SyntheticTask.Tokenizer;
var prompts = SyntheticTask.Generate(1234, SyntheticSizes.All(256)).Prompts.Train.Select(p => p.Prompt).ToList();
var gpt = PipelineSettings.FromConfig(PipelineSettings.Reference).Model.ToGptConfig(tokenizer.VocabSize);
if (messaging)
{
    await MessagingBench.Run(iterations, warmup, args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 7,
        args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 1, prompts, tokenizer, gpt);
    return;
}

PpoSettings Settings(PipelineMode mode, int pool) =>
    PipelineSettings.FromConfig(ConfigurationFactory.ParseString($"akka-rlhf.ppo.generator.pool-size = {pool}").WithFallback(PipelineSettings.Reference)).Ppo
        .WithMode(mode).WithIterations(warmup + iterations);

async Task<List<Dictionary<string, double>>> Run(PpoSettings settings)
{
    using var g = new Generator(1);
    var policy = new GptLM(gpt, g);
    var reward = new GptReward(gpt, g);
    var models = new PpoModels(policy, new GptLM(gpt, g), reward, GptValue.FromReward(reward), tokenizer);
    var system = ActorSystem.Create("bench", RlhfActors.AkkaConfig.WithFallback("akka.loglevel = WARNING\nakka.stdout-loglevel = WARNING"));
    var progress = new Timed();
    var source = system.ActorOf(PromptSource.Props(prompts, tokenizer, SyntheticTask.ChatTemplate, 1));
    var trainer = system.ActorOf(Trainer.Props(settings, models, source, progress));
    await trainer.Ask<StageFinished>(new RunStage(1, settings.Iterations), TimeSpan.FromMinutes(30));
    await system.Terminate();
    return progress.Steps.Skip(warmup).ToList();
}

static double Mean(IEnumerable<Dictionary<string, double>> steps, string key) => steps.Average(s => s[key]) * 1000;

Console.WriteLine($"model: {gpt.NLayer} layers x {gpt.NEmbd} wide, vocab {gpt.VocabSize}; 64 sequences x <= 10 new tokens per iteration; " +
                  $"{iterations} iterations after {warmup} warm-up; torch threads 1 per actor, {Environment.ProcessorCount} cores");
var results = new Dictionary<string, double>();
foreach (var (mode, pool) in new[] { (PipelineMode.Sync, 2), (PipelineMode.Sync, 1), (PipelineMode.Async, 2) })
{
    var steps = await Run(Settings(mode, pool));
    var perIteration = steps.Average(s => s["wall"]) * 1000;
    var label = $"{mode.ToString().ToLowerInvariant()}, {pool} generator(s)";
    Console.WriteLine($"{label,-22} iteration {perIteration,7:F1} ms  ({64_000 / perIteration,6:F1} sequences/s)   " +
                      $"generate {Mean(steps, "t_generate"),6:F1}  score {Mean(steps, "t_score"),6:F1}  learn {Mean(steps, "t_learn"),6:F1}  sync {Mean(steps, "t_sync"),5:F2} ms");
    results[label] = perIteration;
}

// the Python reference: the same synchronous iteration in one process
foreach (var threads in new[] { 1, 2 })
{
    var script = Path.Combine(AppContext.BaseDirectory, "reference_ppo.py");
    var psi = new ProcessStartInfo("/usr/bin/python3", $"{script} {threads} {iterations} {warmup}") { RedirectStandardOutput = true };
    // This workplace pins OpenBLAS to an older core type, which slows the Python side: let OpenBLAS choose.
    psi.Environment.Remove("OPENBLAS_CORETYPE");
    psi.Environment.Remove("OPENBLAS_L2_SIZE");
    using var p = Process.Start(psi)!;
    var output = (await p.StandardOutput.ReadToEndAsync()).Trim();
    await p.WaitForExitAsync();
    Console.WriteLine($"python3-torch, {threads} thread(s): {output}");
}
