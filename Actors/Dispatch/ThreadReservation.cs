namespace AkkaRlhf.Actors.Dispatch;

/// <summary>
/// Worker threads of the .NET thread pool reserved for model actors (every <see cref="ModelDispatcher"/> of the process):
/// each reservation raises the pool's minimum by one and each release lowers it by one, so a minimum the host set itself
/// is kept. Below its minimum the pool starts a thread as soon as work waits; above it, only by its slow starvation rule.
/// </summary>
internal static class ThreadReservation
{
    private static readonly object Gate = new();
    private static int _reserved;

    /// <summary>How many threads are reserved now.</summary>
    public static int Reserved
    {
        get { lock (Gate) return _reserved; }
    }

    /// <summary>Reserves <paramref name="threads"/> more (negative: gives them back).</summary>
    public static void Add(int threads)
    {
        lock (Gate)
        {
            if (_reserved + threads < 0) throw new InvalidOperationException($"{-threads} pool threads given back, {_reserved} reserved");
            ThreadPool.GetMinThreads(out var workers, out var io);
            if (!ThreadPool.SetMinThreads(workers + threads, io))
                throw new InvalidOperationException($"the thread pool refused a minimum of {workers + threads} worker threads (its maximum is lower)");
            _reserved += threads;
        }
    }
}
