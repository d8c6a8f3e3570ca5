using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using AkkaRlhf.Actors;
using AkkaRlhf.Actors.Messages;
using AkkaRlhf.Actors.Pipeline;
using AkkaRlhf.Actors.Roles;
using AkkaRlhf.Bench.Gpt2Small;
using AkkaRlhf.Configuration;
using AkkaRlhf.Models;
using Akka.Actor;
using TorchSharp;
using static TorchSharp.torch;

// bench/Gpt2Small: one synchronous PPO iteration of GPT-2 small (124M, random weights) through the product's actors, and
// the same iteration in a plain python3-torch script (bench/Pipeline/reference_ppo.py --size gpt2-small), with full
// fine-tuning and with LoRA; iteration time and peak resident memory, each run in a fresh process, the two sides
// alternated round by round.
// usage: dotnet bench/Gpt2Small/bin/Release/net10.0/AkkaRlhf.Bench.Gpt2Small.dll [rounds] [iterations] [warmup]
//        ... --child full|lora ITERATIONS WARMUP     (one C# measurement; prints JSON)
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
const int Batch = 8, PromptTokens = 16, NewTokens = 16, Minibatch = 8, Epochs = 1, LoraRank = 8;
string Shape = $"--size gpt2-small --batch {Batch} --prompt {PromptTokens} --new {NewTokens} --minibatch {Minibatch} --epochs {Epochs}";

if (args.Length > 0 && args[0] == "--child")
{
    Console.WriteLine(JsonSerializer.Serialize(await Child(args[1] == "lora", int.Parse(args[2]), int.Parse(args[3]))));
    return;
}
var rounds = args.Length > 0 ? int.Parse(args[0]) : 2;
var iterations = args.Length > 1 ? int.Parse(args[1]) : 2;
var warmup = args.Length > 2 ? int.Parse(args[2]) : 1;
Console.WriteLine($"GPT-2 small (12 x 768, vocab 50257), random weights; per iteration {Batch} prompts of {PromptTokens} tokens, {NewTokens} new " +
                  $"tokens each, {Epochs} PPO and {Epochs} critic epoch(s) in minibatches of {Minibatch}; LoRA rank {LoraRank}, alpha {2 * LoraRank} on " +
                  $"c_attn, c_proj, c_fc; {iterations} iteration(s) after {warmup} warm-up per process; {Environment.ProcessorCount} cores");
var results = new List<(string Side, string Mode, int Round, Dictionary<string, double> Json)>();
for (var round = 1; round <= rounds; round++)
    foreach (var mode in new[] { "full", "lora" })
    {
        var runs = new (string, Func<Task<string>>)[]
        {
            ("python", () => Run("/usr/bin/python3", $"{Path.Combine(AppContext.BaseDirectory, "reference_ppo.py")} 2 {iterations} {warmup} {Shape}" + (mode == "lora" ? $" --lora {LoraRank}" : ""))),
            ("csharp", () => Run("dotnet", $"{typeof(IdTokenizer).Assembly.Location} --child {mode} {iterations} {warmup}")),
        };
        foreach (var (side, run) in round % 2 == 1 ? runs : runs.Reverse())
        {
            var json = JsonSerializer.Deserialize<Dictionary<string, double>>((await run()).Trim().Split('\n')[^1])!;
            results.Add((side, mode, round, json));
            Console.WriteLine($"round {round} {mode,-4} {side,-6} iteration {json["iteration_ms"],8:F0} ms  generate {json["generate_ms"],7:F0}  " +
                              $"score {json["score_ms"],7:F0}  learn {json["learn_ms"],7:F0}  peak RSS {json["peak_rss_mb"],7:F0} MB");
        }
    }
double Median(string side, string mode, string key)
{
    var v = results.Where(r => r.Side == side && r.Mode == mode).Select(r => r.Json[key]).Order().ToList();
    return (v[(v.Count - 1) / 2] + v[v.Count / 2]) / 2;
}
foreach (var mode in new[] { "full", "lora" })
{
    Console.WriteLine($"{mode,-4}: iteration C# / python {Median("csharp", mode, "iteration_ms") / Median("python", mode, "iteration_ms"):F2}x (target <= 1.1x), " +
                      $"peak RSS C# / python {Median("csharp", mode, "peak_rss_mb") / Median("python", mode, "peak_rss_mb"):F2}x (target <= 1.2x)  [medians]");
}
Console.WriteLine($"LoRA / full peak RSS: C# {Median("csharp", "lora", "peak_rss_mb") / Median("csharp", "full", "peak_rss_mb"):F2}x, " +
                  $"python {Median("python", "lora", "peak_rss_mb") / Median("python", "full", "peak_rss_mb"):F2}x");

static async Task<string> Run(string file, string arguments)
{
    var psi = new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true };
    psi.Environment.Remove("OPENBLAS_CORETYPE");           // this workplace pins OpenBLAS to an older core type: let it choose
    psi.Environment.Remove("OPENBLAS_L2_SIZE");
    using var p = Process.Start(psi)!;
    var output = await p.StandardOutput.ReadToEndAsync();
    await p.WaitForExitAsync();
    return p.ExitCode == 0 ? output : throw new InvalidOperationException($"{file} {arguments} exited with {p.ExitCode}: {output}");
}

// One measurement in this process: the product's PPO stage (Trainer and its role actors, PpoModels.Create) on GPT-2 small.
async Task<Dictionary<string, double>> Child(bool lora, int iterations, int warmup)
{
    TorchThreads.SetProcessDefault(1);     // one intra-op thread per role, as the demo runs, but the learner's and the critic's (hocon/gpt2-small-ppo.conf)
    var tokenizer = new IdTokenizer();
    var overrides = $$"""
        akka-rlhf.ppo {
          iterations = {{warmup + iterations}}, prompts-per-iteration = {{Batch}}
          generator { pool-size = 2, max-new-tokens = {{NewTokens}} }
          learner { epochs = {{Epochs}}, minibatch-size = {{Minibatch}}, torch-threads = {{Environment.ProcessorCount}} }
          critic { epochs = {{Epochs}}, minibatch-size = {{Minibatch}}, torch-threads = {{Environment.ProcessorCount}} }
          lora { rank = {{(lora ? LoraRank : 0)}}, alpha = {{2 * LoraRank}} }
        }
        """;
    var ppo = PipelineSettings.FromConfig(ConfigurationFactory.ParseString(overrides).WithFallback(PipelineSettings.Reference)).Ppo;
    var config = GptConfig.Gpt2Small;
    GptLM sft;
    GptReward reward;
    using (var g = new Generator(1)) (sft, reward) = (new GptLM(config, g), new GptReward(config, g));
    var models = PpoModels.Create(sft, new TrainedRewardModel(reward, new Dictionary<string, double> { ["reward_std"] = 1 }), tokenizer, ppo);
    var random = new Random(1);
    var prompts = Enumerable.Range(0, 256).Select(_ => string.Join(' ', Enumerable.Range(0, PromptTokens).Select(_ => random.Next(3, 50256)))).ToList();

    var system = ActorSystem.Create("bench", RlhfActors.AkkaConfig.WithFallback("akka.loglevel = WARNING\nakka.stdout-loglevel = WARNING"));
    var progress = new Timed();
    var source = system.ActorOf(PromptSource.Props(prompts, tokenizer, new ChatTemplate("", "", AppendEos: false), 1));
    var trainer = system.ActorOf(Trainer.Props(ppo, models, source, progress));
    await trainer.Ask<StageFinished>(new RunStage(1, ppo.Iterations), TimeSpan.FromHours(1));
    await system.Terminate();
    var steps = progress.Steps.Skip(warmup).ToList();
    double Ms(string key) => Math.Round(steps.Average(s => s[key]) * 1000, 1);
    return new()
    {
        ["iteration_ms"] = Ms("wall"), ["generate_ms"] = Ms("t_generate"), ["score_ms"] = Ms("t_score"), ["learn_ms"] = Ms("t_learn") + Ms("t_sync"),
        ["peak_rss_mb"] = PeakResidentMb(),
    };
}

static double PeakResidentMb() =>
    double.Parse(File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM:")).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024;
