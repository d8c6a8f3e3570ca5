using RabbitMQ.Client;

namespace AkkaRlhf.Cluster;

/// <summary>
/// One broker connection and its channels, from connect to loss. The transport makes a new session
/// (with the next <see cref="Generation"/>) after each reconnect; acks for deliveries of an older
/// session are skipped (the broker has already requeued those messages).
/// </summary>
internal sealed class BrokerSession(IConnection connection, IChannel publisher, int generation)
{
    private readonly TaskCompletionSource<string> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SortedDictionary<ulong, Pending> _unconfirmed = [];

    public IConnection Connection { get; } = connection;

    /// <summary>The node channel: every publish goes through it (publisher confirms), and it consumes this node's queue.</summary>
    public IChannel Publisher { get; } = publisher;

    public int Generation { get; } = generation;

    /// <summary>Queues declared in this session (role queues are declared on first use).</summary>
    public HashSet<string> Declared { get; } = [];

    /// <summary>The node queue's acknowledgements (coalesced), once it is consumed.</summary>
    public AckBatcher? NodeAcks { get; set; }

    /// <summary>Consumer channels (closed with the session).</summary>
    public List<IChannel> Consumers { get; } = [];

    /// <summary>Completes with a reason when the connection or one of its channels is lost.</summary>
    public Task<string> Closed => _closed.Task;

    public bool IsClosed => _closed.Task.IsCompleted;

    /// <summary>Marks the session lost and returns its unconfirmed messages in publish order.</summary>
    public List<Pending> Close(string reason)
    {
        lock (_unconfirmed)
        {
            _closed.TrySetResult(reason);
            var left = _unconfirmed.Values.ToList();
            _unconfirmed.Clear();
            return left;
        }
    }

    /// <summary>Records a message about to be published; false when the session is already lost.</summary>
    public bool Track(ulong sequence, Pending pending)
    {
        lock (_unconfirmed)
        {
            if (_closed.Task.IsCompleted) return false;
            _unconfirmed[sequence] = pending;
            return true;
        }
    }

    /// <summary>Removes and returns the messages settled by a broker ack or nack.</summary>
    public List<Pending> Settle(ulong deliveryTag, bool multiple)
    {
        lock (_unconfirmed)
        {
            var settled = new List<Pending>();
            if (!multiple)
            {
                if (_unconfirmed.Remove(deliveryTag, out var one)) settled.Add(one);
                return settled;
            }
            foreach (var (seq, p) in _unconfirmed)
            {
                if (seq > deliveryTag) break;
                settled.Add(p);
            }
            foreach (var _ in settled) _unconfirmed.Remove(_unconfirmed.First().Key);
            return settled;
        }
    }
}
