using System.Diagnostics;

namespace AkkaRlhf.Actors.Pipeline;

/// <summary>
/// The trainer's clock for one phase of an iteration whose requests go out together (the generators' parts; the three
/// scorers; the learner and the critic): its wall time, and the part of it that went to messaging between nodes. That part
/// is the wall time beyond the phase's longest piece of work, where a request answered by another node worked for its
/// round trip less its messaging (<see cref="IRemoteRoles.TimingOf"/>), and one answered in this process for its whole round
/// trip (the in-process hop is bench/Pipeline's <c>--messaging</c>). A faster request's messaging, hidden behind slower
/// work, does not count: it cost the iteration nothing.
/// </summary>
internal sealed class PhaseTimer(IRemoteRoles? remote)
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly List<(object Request, Task<double> AnsweredAt)> _asks = [];

    /// <summary>Seconds since the phase began.</summary>
    public double Seconds => _clock.Elapsed.TotalSeconds;

    /// <summary>Counts <paramref name="ask"/>, the ask of <paramref name="request"/>, as one of the phase's (none without remote roles); returns it.</summary>
    public Task<T> Track<T>(object request, Task<T> ask)
    {
        if (remote is null) return ask;
        _asks.Add((request, ask.ContinueWith(_ => _clock.Elapsed.TotalSeconds, TaskContinuationOptions.ExecuteSynchronously)));
        return ask;
    }

    /// <summary>Once every ask of the phase is answered: its messaging between nodes, and the longest wait of a member for policy weights.</summary>
    public async Task<RemoteTiming> RemoteAsync()
    {
        if (remote is null || _asks.Count == 0) return default;
        var answered = new List<(double At, RemoteTiming Timing)>();
        foreach (var (request, at) in _asks) answered.Add((await at, remote.TimingOf(request) ?? default));
        return new RemoteTiming(Messaging(answered.Select(a => (a.At, a.Timing.MessagingSeconds)).ToList()), answered.Max(a => a.Timing.WeightWaitSeconds));
    }

    /// <summary>
    /// max_i at_i - max_i (at_i - m_i): when the last answer came (at, seconds from the phase's start) beyond the longest piece of
    /// work (an answer's time less its messaging m; 0 for a role in this process).
    /// </summary>
    public static double Messaging(IReadOnlyList<(double At, double Messaging)> answered) =>
        answered.Count == 0 ? 0 : Math.Max(0, answered.Max(a => a.At) - answered.Max(a => a.At - a.Messaging));
}
