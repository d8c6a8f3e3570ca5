namespace AkkaRlhf.Cluster;

/// <summary>
/// Remembers the last <c>capacity</c> message ids seen, so that a message delivered twice (a work
/// reply sent again after its batch was redelivered, or a publish retried after a reconnect) is
/// dropped at the receiver. Thread-safe.
/// </summary>
internal sealed class DuplicateFilter(int capacity)
{
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private readonly Queue<string> _order = new();

    /// <summary>True if <paramref name="id"/> was already recorded.</summary>
    public bool Seen(string id)
    {
        lock (_seen) return _seen.Contains(id);
    }

    /// <summary>Records <paramref name="id"/>; false if it was already there.</summary>
    public bool Record(string id)
    {
        lock (_seen)
        {
            if (!_seen.Add(id)) return false;
            _order.Enqueue(id);
            if (_order.Count > capacity) _seen.Remove(_order.Dequeue());
            return true;
        }
    }
}
