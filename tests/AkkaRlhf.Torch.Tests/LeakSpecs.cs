using System.Diagnostics;

namespace AkkaRlhf.Torch.Tests;

/// <summary>Runs after every parallel test, alone: the live-tensor counter is process-wide.</summary>
[CollectionDefinition("memory", DisableParallelization = true)]
public sealed class MemoryCollection;

[Collection("memory")]
public class LeakSpecs
{
    // Finalizes the garbage of earlier tests so that no handle is released in the middle of a count.
    private static long SettledLiveCount()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        return Tensor.LiveCount;
    }

    [Fact]
    public void Live_tensor_counter_must_return_to_its_baseline_after_a_scope()
    {
        var baseline = SettledLiveCount();
        Tensor kept;
        using (var outer = torch.NewDisposeScope())
        {
            using (torch.NewDisposeScope())
            {
                var a = torch.randn([16, 16]);
                var b = (a.matmul(a) + 1).relu().sum(0);
                Assert.True(Tensor.LiveCount >= baseline + 5);
                kept = b.softmax(0).MoveToOuterDisposeScope();
            }
            Assert.Equal(baseline + 1, Tensor.LiveCount);
            Assert.False(kept.IsDisposed);
        }
        Assert.True(kept.IsDisposed);
        Assert.Equal(baseline, Tensor.LiveCount);
    }

    [Fact]
    public void Detached_tensors_must_survive_their_scope_until_disposed()
    {
        var baseline = SettledLiveCount();
        Tensor t;
        using (torch.NewDisposeScope())
            t = torch.ones([3]).DetachFromDisposeScope();
        Assert.Equal(baseline + 1, Tensor.LiveCount);
        Assert.Equal(3.0, t.sum().DetachFromDisposeScope().item());
        t.Dispose();
        Assert.True(Tensor.LiveCount <= baseline + 1);
    }

    [Fact]
    public void Hundred_thousand_small_ops_must_not_grow_process_memory()
    {
        using var x = torch.ones([4]);
        void Run(int n)
        {
            for (var i = 0; i < n; i++)
            {
                using var s = torch.NewDisposeScope();
                _ = (x + 1) * x;
            }
        }
        Run(100_000);   // first round: the GC heap and native allocators size themselves
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var before = Process.GetCurrentProcess().WorkingSet64;
        var live = Tensor.LiveCount;
        Run(100_000);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var grown = Process.GetCurrentProcess().WorkingSet64 - before;
        Assert.Equal(live, Tensor.LiveCount);
        Assert.True(grown < 16L << 20, $"working set grew by {grown >> 20} MiB over 100k ops");
    }
}
