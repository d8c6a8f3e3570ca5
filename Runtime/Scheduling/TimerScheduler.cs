using System.Collections.Concurrent;
using AkkaRlhf.Runtime.Event;

namespace AkkaRlhf.Runtime.Scheduling;

/// <summary>An <see cref="IScheduler"/> on <see cref="System.Threading.Timer"/>s; terminating the system cancels everything left.</summary>
internal sealed class TimerBasedScheduler(ILoggingAdapter log) : IScheduler, IDisposable
{
    private readonly ConcurrentDictionary<Entry, byte> _active = new();

    public DateTimeOffset Now => DateTimeOffset.UtcNow;

    public ICancelable ScheduleTellOnce(TimeSpan delay, ICanTell receiver, object message, IActorRef? sender) =>
        ScheduleOnce(delay, () => receiver.Tell(message, sender));

    public ICancelable ScheduleTellRepeatedly(TimeSpan initialDelay, TimeSpan interval, ICanTell receiver, object message, IActorRef? sender) =>
        ScheduleRepeatedly(initialDelay, interval, () => receiver.Tell(message, sender));

    public ICancelable ScheduleOnce(TimeSpan delay, Action action) => Start(delay, Timeout.InfiniteTimeSpan, action);

    public ICancelable ScheduleRepeatedly(TimeSpan initialDelay, TimeSpan interval, Action action)
    {
        if (interval <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(interval), "The interval must be positive.");
        return Start(initialDelay, interval, action);
    }

    public void Dispose()
    {
        foreach (var entry in _active.Keys) entry.Cancel();
    }

    private Entry Start(TimeSpan delay, TimeSpan period, Action action)
    {
        var entry = new Entry(this, action, period != Timeout.InfiniteTimeSpan);
        _active[entry] = 0;
        entry.Arm(delay < TimeSpan.Zero ? TimeSpan.Zero : delay, period);
        return entry;
    }

    private sealed class Entry(TimerBasedScheduler owner, Action action, bool repeat) : ICancelable
    {
        private Timer? _timer;
        private int _cancelled;

        public bool IsCancellationRequested => Volatile.Read(ref _cancelled) == 1;

        public void Arm(TimeSpan delay, TimeSpan period)
        {
            using (ExecutionContext.SuppressFlow())
                _timer = new Timer(static s => ((Entry)s!).Fire(), this, Timeout.Infinite, Timeout.Infinite);
            _timer.Change(delay, period);
        }

        public void Cancel()
        {
            if (Interlocked.Exchange(ref _cancelled, 1) == 1) return;
            _timer?.Dispose();
            owner._active.TryRemove(this, out _);
        }

        private void Fire()
        {
            if (IsCancellationRequested) return;
            if (!repeat) Cancel();
            try { action(); }
            catch (Exception e) { owner._log.Error(e, "A scheduled action failed."); }
        }
    }

    private readonly ILoggingAdapter _log = log;
}
