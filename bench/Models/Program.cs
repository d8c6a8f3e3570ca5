// bench/Models: GPT generation (KV cache vs recomputation) and a policy training step, C# vs the
// same model in PyTorch (python3-torch 1.13.1, reference.py), side by side in one run. Usage:
//   AKKA_RLHF_ARTIFACTS=/tmp/art-models dotnet run -c Release --project bench/Models -- [THREADS ROUNDS] [--memory]
using System.Diagnostics;
using System.Text.Json;
using AkkaRlhf.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

var threads = args.Length > 0 ? int.Parse(args[0]) : 2;
var rounds = args.Length > 1 ? int.Parse(args[1]) : 5;
torch.set_num_threads(threads);
torch.manual_seed(0);

// Same shapes as reference.py.
const int B = 4, Prompt = 16, New = 128, TB = 8, TT = 64;
var config = new GptConfig { VocabSize = 258, BlockSize = 256, NLayer = 4, NHead = 4, NEmbd = 128 };

using var g = new Generator(0);
using var model = new GptLM(config, g);
model.eval();
var prompts = Enumerable.Range(0, B).Select(b => Enumerable.Range(1, Prompt - 3 * b).ToArray()).ToArray();
var (ids0, mask0) = Batch.LeftPad(prompts, 0);

double TokensPerSecond(bool useCache, int n)
{
    var best = double.MaxValue;
    for (var r = 0; r < n; r++)
    {
        var gen = new GenerationConfig { MaxNewTokens = New, Seed = (ulong)r, UseCache = useCache };
        var sw = Stopwatch.StartNew();
        using var result = Sampler.Generate(model, ids0, mask0, gen);
        best = Math.Min(best, sw.Elapsed.TotalSeconds);
    }
    return B * New / best;
}

using var train = new GptLM(config, g);
using var opt = torch.optim.AdamW(train.parameters(), lr: 1e-4);
using var ids = torch.randint(0, config.VocabSize, [TB, TT], generator: g);
using var ones = torch.ones([TB, TT], ScalarType.Int64);
void TrainSteps(int n)
{
    for (var i = 0; i < n; i++)
    {
        using var scope = torch.NewDisposeScope();
        var logits = train.forward(ids, ones);
        var loss = -LogProbs.Shifted(logits, ids).mean();
        opt.zero_grad();
        loss.backward();
        opt.step();
    }
}

double Best(Action<int> fn, int n)
{
    var best = double.MaxValue;
    for (var r = 0; r < rounds; r++)
    {
        var sw = Stopwatch.StartNew();
        fn(n);
        best = Math.Min(best, sw.Elapsed.TotalSeconds / n);
    }
    return best;
}

// Python reference, run before and after ours (the machine is shared and noisy: best of both).
Dictionary<string, double> Python()
{
    var script = Path.Combine(AppContext.BaseDirectory, "reference.py");
    var psi = new ProcessStartInfo("/usr/bin/python3", $"\"{script}\" {threads} {rounds}") { RedirectStandardOutput = true };
    // This workplace pins OpenBLAS to an older core type, which slows the Python side: let OpenBLAS choose.
    psi.Environment.Remove("OPENBLAS_CORETYPE");
    psi.Environment.Remove("OPENBLAS_L2_SIZE");
    using var p = Process.Start(psi)!;
    var output = p.StandardOutput.ReadToEnd();
    p.WaitForExit();
    if (p.ExitCode != 0) throw new InvalidOperationException("python reference failed (is python3-torch installed?)");
    return JsonSerializer.Deserialize<Dictionary<string, double>>(output)!;
}

// --memory: resident memory over 1,000 training steps and 1,000 decoded tokens, after a warm-up.
if (args.Contains("--memory"))
{
    static long RssKb() => long.Parse(File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmRSS:"))
        .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
    long Settled() { GC.Collect(); GC.WaitForPendingFinalizers(); GC.Collect(); return RssKb(); }
    void Decode(int calls) { for (var i = 0; i < calls; i++) TokensPerSecond(true, 1); }   // 128 decoded tokens a call

    TrainSteps(100); Decode(2);                                                          // warm-up: allocator pools, caches
    var warm = Settled();
    TrainSteps(1000);
    var afterTrain = Settled();
    Decode(8);                                                                           // 8 x 128 = 1,024 decode steps
    var afterDecode = Settled();
    Console.WriteLine("| phase | resident MB | growth vs warm |");
    Console.WriteLine("|---|---|---|");
    Console.WriteLine($"| after warm-up (100 steps, 256 tokens) | {warm / 1024.0:F1} | |");
    Console.WriteLine($"| after 1,000 training steps (B={TB}, T={TT}) | {afterTrain / 1024.0:F1} | {100.0 * (afterTrain - warm) / warm:F2}% |");
    Console.WriteLine($"| after 1,024 decoded tokens (B={B}, KV cache) | {afterDecode / 1024.0:F1} | {100.0 * (afterDecode - warm) / warm:F2}% |");
    return;
}

var skipPython = Environment.GetEnvironmentVariable("AKKA_BENCH_NO_PYTHON") == "1";
var py1 = skipPython ? null : Python();
TokensPerSecond(true, 1);
TrainSteps(3);
var cs = new Dictionary<string, double>
{
    ["gen_cache_tok_s"] = TokensPerSecond(true, rounds),
    ["gen_nocache_tok_s"] = TokensPerSecond(false, 1),
    ["train_step_ms"] = Best(TrainSteps, 10) * 1e3,
};
var py2 = skipPython ? null : Python();
var py = py1 is null ? cs.ToDictionary(kv => kv.Key, _ => double.NaN)
    : py1.ToDictionary(kv => kv.Key, kv => kv.Key.EndsWith("tok_s") ? Math.Max(kv.Value, py2![kv.Key]) : Math.Min(kv.Value, py2![kv.Key]));

Console.WriteLine($"GPT n_layer 4, n_head 4, n_embd 128, vocab 258; generation B={B}, prompts <= {Prompt} (left-padded), {New} new tokens; " +
                  $"training B={TB}, T={TT}; threads={threads}, rounds={rounds} (best of rounds; Python best of two runs)");
Console.WriteLine($"| measure | C# (AkkaRlhf.Models, TorchSharp {torch.__version__}) | PyTorch 1.13.1 | ratio | target |");
Console.WriteLine("|---|---|---|---|---|");
Console.WriteLine($"| generation with KV cache, tokens/s | {cs["gen_cache_tok_s"]:F0} | {py["gen_cache_tok_s"]:F0} | {cs["gen_cache_tok_s"] / py["gen_cache_tok_s"]:F2}x speed | >= 1.0x |");
Console.WriteLine($"| generation without cache, tokens/s | {cs["gen_nocache_tok_s"]:F0} | {py["gen_nocache_tok_s"]:F0} | {cs["gen_nocache_tok_s"] / py["gen_nocache_tok_s"]:F2}x speed | |");
Console.WriteLine($"| KV cache speed-up (C#) | {cs["gen_cache_tok_s"] / cs["gen_nocache_tok_s"]:F1}x | {py["gen_cache_tok_s"] / py["gen_nocache_tok_s"]:F1}x | | >= 5x |");
Console.WriteLine($"| policy training step (forward, log-prob loss, backward, AdamW), ms | {cs["train_step_ms"]:F2} | {py["train_step_ms"]:F2} | {cs["train_step_ms"] / py["train_step_ms"]:F2}x time | <= 1.05x |");
