namespace AkkaRlhf.Runtime.Supervision;

/// <summary>Counts a child's restarts within the strategy's window.</summary>
internal sealed class RestartStatistics
{
    private int _count;
    private long _windowStart = -1;

    /// <summary>Registers one more restart; false when that exceeds the limit (the child is stopped instead).</summary>
    public bool RequestRestartPermission(int maxNrOfRetries, TimeSpan within)
    {
        if (maxNrOfRetries == 0) return false;
        if (maxNrOfRetries < 0) return true;
        if (within == Timeout.InfiniteTimeSpan || within <= TimeSpan.Zero) return ++_count <= maxNrOfRetries;
        var now = Environment.TickCount64;
        if (_windowStart < 0 || now - _windowStart > (long)within.TotalMilliseconds)
        {
            _windowStart = now;
            _count = 1;
            return true;
        }
        return ++_count <= maxNrOfRetries;
    }
}
