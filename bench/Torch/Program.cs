// bench/Torch: per-op dispatch, large-op throughput and a training step, TorchSharp 0.107 (LibTorch
// 2.10) vs PyTorch (Debian's python3-torch 1.13.1: another libtorch) side by side in one run. Usage:
//   bench/Torch/run.sh [THREADS ROUNDS]
using System.Diagnostics;
using System.Text.Json;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

var threads = args.Length > 0 ? int.Parse(args[0]) : 2;
var rounds = args.Length > 1 ? int.Parse(args[1]) : 5;
torch.set_num_threads(threads);
torch.manual_seed(0);

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

using var a = torch.ones([4]);
using var b = torch.ones([4]);
void Adds(int n)
{
    for (var i = 0; i < n; i++) { using var c = a + b; }
}

using var x = torch.randn([512, 512]);
using var y = torch.randn([512, 512]);
void Matmuls(int n)
{
    for (var i = 0; i < n; i++) { using var c = x.matmul(y); }
}

using var fc1 = nn.Linear(784, 256);
using var fc2 = nn.Linear(256, 10);
using var opt = torch.optim.AdamW(fc1.parameters().Concat(fc2.parameters()), lr: 1e-3);
using var xb = torch.randn([64, 784]);
using var yb = torch.randint(0, 10, [64]);
void Steps(int n)
{
    for (var i = 0; i < n; i++)
    {
        using var scope = torch.NewDisposeScope();
        opt.zero_grad();
        var loss = F.cross_entropy(fc2.forward(fc1.forward(xb).relu()), yb);
        loss.backward();
        opt.step();
    }
}

// Python reference, run in the same script, before and after ours (machines are noisy: best of both).
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

var py1 = Python();
Adds(1000); Matmuls(5); Steps(5);
var cs = new Dictionary<string, double>
{
    ["add_us"] = Best(Adds, 20000) * 1e6,
    ["matmul_gflops"] = 2 * Math.Pow(512, 3) / Best(Matmuls, 40) / 1e9,
    ["mlp_step_ms"] = Best(Steps, 100) * 1e3,
};
var py2 = Python();
var py = py1.ToDictionary(kv => kv.Key, kv => kv.Key == "matmul_gflops" ? Math.Max(kv.Value, py2[kv.Key]) : Math.Min(kv.Value, py2[kv.Key]));

Console.WriteLine($"threads={threads} rounds={rounds} (best of rounds; Python best of two runs)");
Console.WriteLine($"| measure | TorchSharp {torch.__version__} | PyTorch 1.13.1 | ratio |");
Console.WriteLine("|---|---|---|---|");
Console.WriteLine($"| tiny add (4 floats), us/op | {cs["add_us"]:F2} | {py["add_us"]:F2} | {cs["add_us"] / py["add_us"]:F2}x time |");
Console.WriteLine($"| 512x512 matmul, GFLOP/s | {cs["matmul_gflops"]:F1} | {py["matmul_gflops"]:F1} | {cs["matmul_gflops"] / py["matmul_gflops"]:F2}x speed |");
Console.WriteLine($"| MLP 784-256-10 AdamW step (B=64), ms | {cs["mlp_step_ms"]:F3} | {py["mlp_step_ms"]:F3} | {cs["mlp_step_ms"] / py["mlp_step_ms"]:F2}x time |");
