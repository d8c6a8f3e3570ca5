using AkkaRlhf.Models;
using TorchSharp;

namespace AkkaRlhf.Models.Tests;

/// <summary>A count set for some work is the thread's own while the work runs, and leaks nowhere, during it or after.</summary>
[Collection("GlobalRng")]                                                             // libtorch's process-wide count: one spec at a time
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
    public void A_count_in_use_is_the_threads_own_and_goes_back_to_the_process_default_after()
    {
        var defaultCount = TorchThreads.ProcessDefault;
        var (inUse, afterOther, after) = OnNewThread(() =>
        {
            int inUse, afterOther;
            using (TorchThreads.Use(defaultCount + 2))
            {
                inUse = torch.get_num_threads();
                var other = OnNewThread(() => { using (TorchThreads.Use(defaultCount + 1)) return torch.get_num_threads(); });
                Assert.Equal(defaultCount + 1, other);
                afterOther = torch.get_num_threads();
            }
            return (inUse, afterOther, torch.get_num_threads());
        });
        Assert.Equal(defaultCount + 2, inUse);
        Assert.Equal(defaultCount + 2, afterOther);                                   // another thread's count left this one alone
        Assert.Equal(defaultCount, after);
    }

    [Fact]
    public void A_thread_that_computes_after_another_used_its_own_count_gets_the_process_default()
    {
        var defaultCount = TorchThreads.ProcessDefault;
        OnNewThread(() => { using (TorchThreads.Use(defaultCount + 3)) return torch.get_num_threads(); });
        var fresh = OnNewThread(() =>
        {
            using var x = torch.ones(4).sum();                                        // the first op of this thread
            return torch.get_num_threads();
        });
        Assert.Equal(defaultCount, fresh);
    }

    [Fact]
    public void A_thread_that_first_computes_while_another_uses_its_own_count_gets_the_process_default()
    {
        var defaultCount = TorchThreads.ProcessDefault;
        var fresh = OnNewThread(() =>
        {
            using (TorchThreads.Use(defaultCount + 2))
                return OnNewThread(() =>
                {
                    using var x = torch.ones(4).sum();                                // its first op, inside the other's scope
                    return torch.get_num_threads();
                });
        });
        Assert.Equal(defaultCount, fresh);
    }
}
