namespace AkkaRlhf.Runtime;

/// <summary>A timer's message on its way to the actor; dropped unless its timer is still the current one.</summary>
internal sealed record TimerMessage(object Key, int Generation, object Message, TimerScheduler Owner) : IInternalMessage;

/// <summary>The <see cref="ITimerScheduler"/> of one actor instance; used only on the actor's turn.</summary>
internal sealed class TimerScheduler(ActorCell cell) : ITimerScheduler
{
    private readonly Dictionary<object, (int Generation, ICancelable Task, bool Repeat)> _timers = [];
    private int _generation;

    public void StartSingleTimer(object key, object message, TimeSpan timeout) => Start(key, message, timeout, null);

    public void StartPeriodicTimer(object key, object message, TimeSpan interval) => Start(key, message, interval, interval);

    public void StartPeriodicTimer(object key, object message, TimeSpan initialDelay, TimeSpan interval) =>
        Start(key, message, initialDelay, interval);

    public bool IsTimerActive(object key) => _timers.ContainsKey(key);

    public void Cancel(object key)
    {
        if (_timers.Remove(key, out var timer)) timer.Task.Cancel();
    }

    public void CancelAll()
    {
        foreach (var timer in _timers.Values) timer.Task.Cancel();
        _timers.Clear();
    }

    /// <summary>True if <paramref name="message"/> comes from a live timer (a single timer is then done).</summary>
    public bool Accept(TimerMessage message)
    {
        if (!_timers.TryGetValue(message.Key, out var timer) || timer.Generation != message.Generation) return false;
        if (!timer.Repeat) _timers.Remove(message.Key);
        return true;
    }

    private void Start(object key, object message, TimeSpan delay, TimeSpan? interval)
    {
        Cancel(key);
        var generation = ++_generation;
        var tick = new TimerMessage(key, generation, message, this);
        var scheduler = cell.System.Scheduler;
        var task = interval is { } every
            ? scheduler.ScheduleTellRepeatedly(delay, every, cell.Self, tick, cell.Self)
            : scheduler.ScheduleTellOnce(delay, cell.Self, tick, cell.Self);
        _timers[key] = (generation, task, interval is not null);
    }
}
