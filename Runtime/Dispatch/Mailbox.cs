using System.Collections.Concurrent;

namespace AkkaRlhf.Runtime.Dispatch;

/// <summary>
/// An actor's two queues (system messages first, then user messages) and its scheduling on the
/// .NET thread pool. At most one turn runs at a time, so an actor never processes two messages
/// concurrently; a turn handles at most <c>throughput</c> user messages before yielding the thread.
/// </summary>
internal sealed class Mailbox : IThreadPoolWorkItem
{
    private readonly ConcurrentQueue<SystemMessage> _system = new();
    private readonly ConcurrentQueue<Envelope> _user = new();
    private readonly ActorCell _cell;
    private readonly int _throughput;
    private Queue<Envelope>? _front; // unstashed messages; touched only during a turn
    private int _scheduled;
    private volatile bool _closed;

    public Mailbox(ActorCell cell, int throughput)
    {
        _cell = cell;
        _throughput = Math.Max(1, throughput);
    }

    /// <summary>Queued user messages (approximate while others enqueue).</summary>
    public int NumberOfMessages => _user.Count + (_front?.Count ?? 0);

    /// <summary>True while a turn is queued or running.</summary>
    public bool IsScheduled => Volatile.Read(ref _scheduled) == 1;

    public bool IsClosed => _closed;

    public void Post(Envelope envelope)
    {
        if (_closed)
        {
            _cell.DeadLetter(envelope);
            return;
        }
        _user.Enqueue(envelope);
        Schedule();
    }

    public void PostSystem(SystemMessage message)
    {
        _system.Enqueue(message);
        Schedule();
    }

    /// <summary>Puts messages back in front of the queue, in order (stash, restart). Only during a turn.</summary>
    public void Prepend(IEnumerable<Envelope> envelopes)
    {
        var front = new Queue<Envelope>(envelopes);
        if (_front is not null)
            foreach (var e in _front) front.Enqueue(e);
        _front = front;
    }

    /// <summary>After this, user messages go to dead letters. Only during a turn.</summary>
    public void Close() => _closed = true;

    /// <summary>Queues a turn unless one is already queued or running.</summary>
    public void Schedule()
    {
        if (Interlocked.CompareExchange(ref _scheduled, 1, 0) == 0)
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: true);
    }

    /// <summary>One turn: all system messages, then up to <c>throughput</c> user messages.</summary>
    public void Execute()
    {
        ActorCell.Current = _cell;
        try
        {
            ProcessSystemMessages();
            for (var left = _throughput; left > 0 && !_closed && _cell.CanProcessUserMessages && TryDequeue(out var envelope); left--)
            {
                _cell.Invoke(envelope);
                if (!_system.IsEmpty) ProcessSystemMessages();
            }
            if (_closed) Drain();
        }
        finally
        {
            ActorCell.Current = null;
            Interlocked.Exchange(ref _scheduled, 0);
            if (HasWork()) Schedule();
        }
    }

    private bool HasWork() =>
        !_system.IsEmpty
        || (_closed ? !_user.IsEmpty : _cell.CanProcessUserMessages && (!_user.IsEmpty || _front is { Count: > 0 }));

    private bool TryDequeue(out Envelope envelope)
    {
        if (_front is { Count: > 0 })
        {
            envelope = _front.Dequeue();
            return true;
        }
        return _user.TryDequeue(out envelope);
    }

    private void ProcessSystemMessages()
    {
        while (_system.TryDequeue(out var message))
        {
            if (_closed) _cell.SystemDeadLetter(message);
            else _cell.SystemInvoke(message);
        }
    }

    private void Drain()
    {
        ProcessSystemMessages();
        while (TryDequeue(out var envelope)) _cell.DeadLetter(envelope);
    }
}
