using TorchSharp;

namespace AkkaRlhf.Models;

/// <summary>
/// libtorch's intra-op threads, per thread of this process. libtorch keeps the count per thread (OpenMP's and MKL's
/// thread-local settings), but <c>set_num_threads</c> also sets the count that a thread which has not computed yet takes
/// when it first computes. <see cref="Pin"/> sets the calling thread's count and puts that process-wide one back to
/// <see cref="ProcessDefault"/>, so a role's own count never leaks into a thread that starts computing later.
/// </summary>
public static class TorchThreads
{
    private static volatile int _processDefault = 1;

    /// <summary>The count of every thread that sets none of its own (<c>akka-rlhf.torch-threads</c>; 1 until set).</summary>
    public static int ProcessDefault => _processDefault;

    /// <summary>Sets <see cref="ProcessDefault"/> (at least 1) and pins the calling thread to it.</summary>
    public static void SetProcessDefault(int threads)
    {
        _processDefault = Math.Max(1, threads);
        Pin(0);
    }

    /// <summary>The calling thread computes with <paramref name="threads"/> intra-op threads (0: <see cref="ProcessDefault"/>).</summary>
    public static void Pin(int threads)
    {
        var count = threads > 0 ? threads : _processDefault;
        torch.get_num_threads();                                  // the thread's lazy initialisation, which would overwrite the count
        torch.set_num_threads(count);
        if (count == _processDefault) return;
        var restore = new Thread(() =>                            // the process-wide count back, set on a thread of its own
        {
            torch.get_num_threads();
            torch.set_num_threads(_processDefault);
        });
        restore.Start();
        restore.Join();
    }
}
