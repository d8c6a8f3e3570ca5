using AkkaRlhf.Runtime.Dispatch;

namespace AkkaRlhf.Runtime;

internal sealed partial class ActorCell
{
    private TimeSpan? _receiveTimeout;
    private Timer? _receiveTimeoutTimer;
    private int _receiveTimeoutGeneration;

    public TimeSpan? ReceiveTimeout => _receiveTimeout;

    public void SetReceiveTimeout(TimeSpan? timeout)
    {
        _receiveTimeout = timeout is { } t && t > TimeSpan.Zero && t != Timeout.InfiniteTimeSpan ? t : null;
        ResetReceiveTimeout();
    }

    /// <summary>Re-arms the timer (after a message); ticks from earlier generations are ignored.</summary>
    private void ResetReceiveTimeout()
    {
        if (_receiveTimeout is not { } timeout)
        {
            if (_receiveTimeoutTimer is not null)
            {
                Interlocked.Increment(ref _receiveTimeoutGeneration);
                _receiveTimeoutTimer.Change(Timeout.Infinite, Timeout.Infinite);
            }
            return;
        }
        Interlocked.Increment(ref _receiveTimeoutGeneration);
        if (_receiveTimeoutTimer is null)
        {
            using (ExecutionContext.SuppressFlow())
                _receiveTimeoutTimer = new Timer(static s => ((ActorCell)s!).OnReceiveTimeoutTimer(), this, Timeout.Infinite, Timeout.Infinite);
        }
        _receiveTimeoutTimer.Change(timeout, Timeout.InfiniteTimeSpan);
    }

    private void OnReceiveTimeoutTimer()
    {
        var generation = Volatile.Read(ref _receiveTimeoutGeneration);
        Mailbox.Post(new Envelope(new ReceiveTimeoutTick(generation), Self));
    }
}
