using AkkaRlhf.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace AkkaRlhf.Models.Tests;

/// <summary>
/// After <see cref="VmlWarmup.Ensure"/>, each op that libtorch runs with Intel MKL's vector math gives the same bits on
/// threads that call it at the same moment as on one thread alone, in float32 and float64: the promise the roles rely on
/// (without the warm-up, the first concurrent call of a function in a process may take a low-accuracy kernel).
/// </summary>
public sealed class VmlWarmupSpecs
{
    [Fact]
    public void After_the_warmup_every_function_called_on_four_threads_at_once_equals_a_lone_call_bit_for_bit()
    {
        VmlWarmup.Ensure();
        using var generator = new Generator(7);
        using var low = 0.05.ToScalar();
        using var high = 0.95.ToScalar();
        foreach (var dtype in new[] { ScalarType.Float32, ScalarType.Float64 })
        {
            using var scope = NewDisposeScope();
            var x = rand([16, 4096], dtype, generator: generator).clamp_(low, high);       // in every function's domain
            foreach (var f in VmlWarmup.Functions)
            {
                var alone = f(x);
                var together = new Tensor[4];
                using var barrier = new Barrier(together.Length);
                var threads = Enumerable.Range(0, together.Length)
                    .Select(i => new Thread(() => { barrier.SignalAndWait(); together[i] = f(x); })).ToList();
                threads.ForEach(t => t.Start());
                threads.ForEach(t => t.Join());
                Assert.False(alone.isnan().any().item<bool>());
                foreach (var t in together) Assert.True(t.allclose(alone, 0, 0), $"{dtype}: a concurrent call differs from a lone one");
                foreach (var t in together) t.Dispose();
            }
        }
    }
}
