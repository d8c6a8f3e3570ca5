using AkkaRlhf.Models;
using TorchSharp;

namespace AkkaRlhf.Models.Tests;

/// <summary>A thread's own intra-op thread count stays its own and does not leak into threads that compute later.</summary>
public sealed class TorchThreadsSpecs
{
    private static T OnNewThread<T>(Func<T> work)
    {
        T result = default!;
        var thread = new Thread(() => result = work());
        thread.Start();
        thread.Join();
        return result;
    }

    [Fact]
    public void A_pinned_count_is_the_threads_own()
    {
        var defaultCount = TorchThreads.ProcessDefault;
        var (pinned, afterOthers) = OnNewThread(() =>
        {
            TorchThreads.Pin(defaultCount + 2);
            var pinned = torch.get_num_threads();
            var other = OnNewThread(() => { TorchThreads.Pin(defaultCount + 1); return torch.get_num_threads(); });
            Assert.Equal(defaultCount + 1, other);
            return (pinned, torch.get_num_threads());
        });
        Assert.Equal(defaultCount + 2, pinned);
        Assert.Equal(defaultCount + 2, afterOthers);                                  // another thread's pin left this one alone
    }

    [Fact]
    public void A_thread_that_computes_after_another_pinned_its_own_count_gets_the_process_default()
    {
        var defaultCount = TorchThreads.ProcessDefault;
        OnNewThread(() => { TorchThreads.Pin(defaultCount + 3); return 0; });
        var fresh = OnNewThread(() =>
        {
            using var x = torch.ones(4).sum();                                        // the first op of this thread
            return torch.get_num_threads();
        });
        Assert.Equal(defaultCount, fresh);
    }
}
