using System.Diagnostics;

namespace AkkaRlhf.Cluster.Tests.Support;

/// <summary>Bounded waiting.</summary>
public static class Eventually
{
    /// <summary>Polls <paramref name="condition"/> until it holds; fails with <paramref name="what"/> and the state after <paramref name="timeout"/>.</summary>
    public static async Task Holds(Func<bool> condition, TimeSpan timeout, Func<string> what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > timeout) throw new TimeoutException($"Not within {timeout.TotalSeconds} s: {what()}");
            await Task.Delay(10);
        }
    }
}
