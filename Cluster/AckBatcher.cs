using RabbitMQ.Client;

namespace AkkaRlhf.Cluster;

/// <summary>
/// Coalesces the acknowledgements of a consumer that handles its deliveries one at a time, in order (the node queue):
/// once a delivery is handled, every earlier one is settled too, so one <c>basic.ack multiple</c> up to the newest covers
/// them all. It is sent when <c>batch</c> handled deliveries are waiting, or <c>delay</c> after the first of them:
/// fewer frames for both ends and the broker, and no ack write beside each reply on a request's path. A delivery
/// handled but not yet acknowledged when the connection drops comes again after the reconnect, and the node's
/// duplicate filter drops it. Rejections do not come through here (they go at once, one by one).
/// </summary>
internal sealed class AckBatcher(IChannel channel, int batch, TimeSpan delay, ClusterLog log)
{
    private readonly object _gate = new();
    private readonly SemaphoreSlim _sending = new(1, 1);
    private ulong _newest;
    private ulong _sent;
    private int _waiting;
    private bool _timer;

    /// <summary>Records delivery <paramref name="tag"/> as handled (tags grow in delivery order); acknowledges now if the batch is full.</summary>
    public Task AckAsync(ulong tag)
    {
        bool full, startTimer = false;
        lock (_gate)
        {
            _newest = tag;
            full = ++_waiting >= batch;
            if (!full && !_timer) _timer = startTimer = true;
        }
        if (startTimer) _ = FlushLaterAsync();
        return full ? FlushAsync() : Task.CompletedTask;
    }

    /// <summary>
    /// Acknowledges every handled delivery now. The newest tag is read once this flush has the send lock, so acks go out in
    /// tag order; a flush with nothing new since the last ack sends nothing (acking a tag twice would close the channel).
    /// </summary>
    public async Task FlushAsync()
    {
        await _sending.WaitAsync();
        ulong tag = 0;
        try
        {
            lock (_gate)
            {
                tag = _newest;
                _waiting = 0;
            }
            if (tag <= _sent || !channel.IsOpen) return;
            await channel.BasicAckAsync(tag, multiple: true);
            _sent = tag;
        }
        catch (Exception e)
        {
            log.Debug($"Could not acknowledge deliveries up to {tag} ({e.Message}); the broker redelivers them and the duplicate filter drops them.");
        }
        finally { _sending.Release(); }
    }

    private async Task FlushLaterAsync()
    {
        await Task.Delay(delay);
        lock (_gate) _timer = false;
        await FlushAsync();
    }
}
