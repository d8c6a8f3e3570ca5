namespace AkkaRlhf.Runtime.Event;

/// <summary>
/// The system-wide publish/subscribe bus. A subscriber receives every published event that is an
/// instance of the type it subscribed to (so subscribing to a base type also matches subtypes).
/// </summary>
public sealed class EventStream
{
    private readonly object _gate = new();
    private (IActorRef Subscriber, Type Channel)[] _subscriptions = [];

    /// <summary>Subscribes <paramref name="subscriber"/> to events assignable to <paramref name="channel"/>; false if already subscribed.</summary>
    public bool Subscribe(IActorRef subscriber, Type channel)
    {
        ArgumentNullException.ThrowIfNull(subscriber);
        ArgumentNullException.ThrowIfNull(channel);
        lock (_gate)
        {
            if (Array.IndexOf(_subscriptions, (subscriber, channel)) >= 0) return false;
            _subscriptions = [.. _subscriptions, (subscriber, channel)];
            return true;
        }
    }

    /// <summary>Cancels one subscription; false if there was none.</summary>
    public bool Unsubscribe(IActorRef subscriber, Type channel)
    {
        lock (_gate)
        {
            var before = _subscriptions.Length;
            _subscriptions = _subscriptions.Where(s => !(s.Subscriber.Equals(subscriber) && s.Channel == channel)).ToArray();
            return _subscriptions.Length != before;
        }
    }

    /// <summary>Cancels all subscriptions of <paramref name="subscriber"/>.</summary>
    public bool Unsubscribe(IActorRef subscriber)
    {
        lock (_gate)
        {
            var before = _subscriptions.Length;
            _subscriptions = _subscriptions.Where(s => !s.Subscriber.Equals(subscriber)).ToArray();
            return _subscriptions.Length != before;
        }
    }

    /// <summary>Sends <paramref name="event"/> to every matching subscriber (no sender).</summary>
    public void Publish(object @event)
    {
        ArgumentNullException.ThrowIfNull(@event);
        foreach (var (subscriber, channel) in Volatile.Read(ref _subscriptions))
            if (channel.IsInstanceOfType(@event)) subscriber.Tell(@event, ActorRefs.NoSender);
    }
}
