using TorchSharp;
using static AkkaRlhf.Models.Scalars;
using static TorchSharp.torch;

namespace AkkaRlhf.Models;

/// <summary>
/// Calls every Intel MKL vector-math (VML) function that libtorch's float unary ops use (exp, log, tanh, sqrt, ...) once,
/// in float32 and float64, on one thread, before the roles of a process compute at the same time.
/// <para>
/// Why: the oneMKL 2024.2 inside libtorch 2.10 picks each VML function's kernel at that function's first call in the
/// process, and when two threads make that first call at once, one of them can compute it with a low-accuracy kernel
/// (PyTorch issue 188792). Found here as a PPO run that was not reproducible: in about one run of eight under GC pressure,
/// one rollout generator's first log-probs (a logsumexp: exp, then log) came out 2.4e-5 lower, so the first iteration's
/// KL was -1.03e-5 instead of 0 and every metric after it differed in its last bits (bench/Pipeline/RESULTS.md).
/// Once each function has been called, concurrent calls are exact.
/// </para>
/// <see cref="Ensure"/> is idempotent and thread-safe; every role calls it in its constructor (<c>RoleActor</c>), so a
/// host needs to do nothing; so do <see cref="ModelCommands"/>, whose ops split over libtorch's intra-op threads. Other code
/// that computes on several threads, or with more than one intra-op thread, without roles calls it first.
/// </summary>
public static class VmlWarmup
{
    private static readonly Lazy<bool> Done = new(Run, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Calls every function once (the first caller; others wait for it), then returns at once.</summary>
    public static void Ensure() => _ = Done.Value;

    /// <summary>The ops libtorch runs with VML for contiguous float32 and float64 tensors (ATen's <c>cpu/vml.h</c>).</summary>
    public static IReadOnlyList<Func<Tensor, Tensor>> Functions { get; } =
    [
        t => t.acos(), t => t.asin(), t => t.atan(), t => t.cos(), t => t.erf(), t => t.erfc(), t => t.erfinv(), t => t.exp(),
        t => t.log(), t => t.log10(), t => t.log2(), t => t.sin(), t => t.sqrt(), t => t.tan(), t => t.tanh(), t => t.trunc(),
    ];

    private static bool Run()
    {
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        foreach (var dtype in new[] { ScalarType.Float32, ScalarType.Float64 })
        {
            var x = torch.ones(8, dtype).mul_(OneHalf);                                 // 0.5: inside every function's domain
            foreach (var f in Functions) f(x);
        }
        return true;
    }
}
