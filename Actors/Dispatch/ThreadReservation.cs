namespace AkkaRlhf.Actors.Dispatch;

/// <summary>
/// Worker threads of the .NET thread pool reserved for model actors (every <see cref="ModelDispatcher"/> of the process):
/// the pool's minimum is its own minimum from before the first reservation plus the reserved count. Below its minimum the
/// pool starts a thread as soon as work waits; above it, only by its slow starvation rule.
/// </summary>
internal static class ThreadReservation
{
    private static readonly object Gate = new();
    private static int _reserved;
    private static int _baseWorkers = -1, _baseIo;

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
            if (_baseWorkers < 0) ThreadPool.GetMinThreads(out _baseWorkers, out _baseIo);
            _reserved = Math.Max(0, _reserved + threads);
            if (!ThreadPool.SetMinThreads(_baseWorkers + _reserved, _baseIo))
                throw new InvalidOperationException($"the thread pool refused a minimum of {_baseWorkers + _reserved} worker threads (its maximum is lower)");
        }
    }
}
