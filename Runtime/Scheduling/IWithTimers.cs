namespace AkkaRlhf.Runtime;

/// <summary>Implement on an actor to get <see cref="Timers"/> (set by the kernel after construction; use it from PreStart on).</summary>
public interface IWithTimers
{
    /// <summary>The actor's timers.</summary>
    ITimerScheduler Timers { get; set; }
}

/// <summary>
/// Keyed timers that send messages to Self. Starting a key again replaces the old timer; a cancelled
/// timer's message is never delivered, even if already queued; all timers are cancelled when the
/// actor stops or restarts.
/// </summary>
public interface ITimerScheduler
{
    /// <summary>Sends <paramref name="message"/> to Self once after <paramref name="timeout"/>.</summary>
    void StartSingleTimer(object key, object message, TimeSpan timeout);

    /// <summary>Sends <paramref name="message"/> to Self every <paramref name="interval"/>.</summary>
    void StartPeriodicTimer(object key, object message, TimeSpan interval);

    /// <summary>Sends <paramref name="message"/> after <paramref name="initialDelay"/>, then every <paramref name="interval"/>.</summary>
    void StartPeriodicTimer(object key, object message, TimeSpan initialDelay, TimeSpan interval);

    /// <summary>True while the timer <paramref name="key"/> is pending (a single timer stops being active once delivered).</summary>
    bool IsTimerActive(object key);

    /// <summary>Cancels the timer <paramref name="key"/>.</summary>
    void Cancel(object key);

    /// <summary>Cancels all timers.</summary>
    void CancelAll();
}
