using System.Collections.Concurrent;
using TorchSharp;

namespace AkkaRlhf.Models;

/// <summary>
/// libtorch's intra-op threads, per thread of this process. libtorch keeps the count per thread (OpenMP's and MKL's
/// thread-local settings), but <c>set_num_threads</c> also sets the count that a thread which has not computed yet takes
/// when it first computes. <see cref="Pin"/> and <see cref="Use"/> put that process-wide count back to
/// <see cref="ProcessDefault"/> at once (from a thread of their own), and <see cref="Use"/> the calling thread's when the
/// work is done, so a role's count never reaches another thread.
/// </summary>
/// <remarks>On a pool thread a role's handler that awaits loses its count after the first await (the continuation runs as a new message
/// outside <c>AroundReceive</c>): wrap the compute after an await in <see cref="Use"/> again.</remarks>
public static class TorchThreads
{
    private static volatile int _processDefault = 1;

    /// <summary>The count of all work that sets none of its own (<c>akka-rlhf.torch-threads</c>; 1 until set).</summary>
    public static int ProcessDefault => _processDefault;

    /// <summary>Sets <see cref="ProcessDefault"/> (at least 1), for the calling thread too.</summary>
    public static void SetProcessDefault(int threads)
    {
        _processDefault = Math.Max(1, threads);
        torch.get_num_threads();                                  // the thread's lazy initialisation, which would overwrite the count
        torch.set_num_threads(_processDefault);
    }

    /// <summary>
    /// The calling thread computes with <paramref name="threads"/> intra-op threads (0: <see cref="ProcessDefault"/>) from
    /// now on: for a thread that runs one role's work only (a role's own thread).
    /// </summary>
    public static void Pin(int threads) => Set(threads);

    /// <summary>
    /// The calling thread computes with <paramref name="threads"/> intra-op threads (0: <see cref="ProcessDefault"/>) until
    /// the result is disposed; then with <see cref="ProcessDefault"/>. Costs nothing when the thread has that count already.
    /// </summary>
    public static Scope Use(int threads) => new(restore: Set(threads));

    /// <summary>Sets the calling thread's count, the process-wide one kept at <see cref="ProcessDefault"/>; whether it changed.</summary>
    private static bool Set(int threads)
    {
        var count = threads > 0 ? threads : _processDefault;
        if (torch.get_num_threads() == count) return false;      // also the thread's lazy initialisation
        torch.set_num_threads(count);
        if (count != _processDefault) Restorer.Run();
        return true;
    }

    /// <summary>Puts the count back to <see cref="ProcessDefault"/> when disposed, if <see cref="Use"/> changed it.</summary>
    public readonly struct Scope(bool restore) : IDisposable
    {
        public void Dispose()
        {
            if (restore) torch.set_num_threads(_processDefault);
        }
    }

    /// <summary>A thread that sets the process-wide count back to <see cref="ProcessDefault"/> (its own count with it).</summary>
    private static class Restorer
    {
        private static readonly BlockingCollection<ManualResetEventSlim> Requests = [];

        static Restorer() => new Thread(() =>
        {
            foreach (var done in Requests.GetConsumingEnumerable())
            {
                torch.get_num_threads();
                torch.set_num_threads(_processDefault);
                done.Set();
            }
        }) { IsBackground = true, Name = "torch-threads-restorer" }.Start();

        public static void Run()
        {
            using var done = new ManualResetEventSlim();
            Requests.Add(done);
            done.Wait();
        }
    }
}
