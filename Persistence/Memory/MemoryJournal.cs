using AkkaRlhf.Persistence.Serialization;
using AkkaRlhf.Runtime.Serialization;

namespace AkkaRlhf.Persistence.Memory;

/// <summary>
/// A journal in process memory, for tests and throw-away runs: nothing survives the process. Events are
/// still serialized through the allow-list, so it rejects what a real journal would reject.
/// </summary>
public sealed class MemoryJournal(MessageSerialization serialization) : IJournal, IPersistenceIdsQuery
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Stream> _streams = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public Task<IReadOnlyList<Exception?>> WriteMessagesAsync(IReadOnlyList<AtomicWrite> messages, CancellationToken cancellationToken = default)
    {
        var results = new Exception?[messages.Count];
        var accepted = new List<(string Id, List<(long SequenceNr, StoredPayload Payload)> Rows)>();
        for (var i = 0; i < messages.Count; i++)
        {
            try
            {
                accepted.Add((messages[i].PersistenceId,
                    messages[i].Payload.Select(p => (p.SequenceNr, StoredPayload.From(serialization, p.Payload))).ToList()));
            }
            catch (Exception e) { results[i] = e; }
        }
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        lock (_lock)
        {
            foreach (var (id, rows) in accepted)
                if (_streams.TryGetValue(id, out var existing) && rows.Any(r => existing.Events.ContainsKey(r.SequenceNr) || r.SequenceNr <= existing.DeletedTo))
                    throw new InvalidOperationException($"Duplicate sequence number for persistence id '{id}'.");
            foreach (var (id, rows) in accepted)
            {
                var stream = _streams.TryGetValue(id, out var s) ? s : _streams[id] = new Stream();
                foreach (var (sequenceNr, payload) in rows)
                {
                    stream.Events[sequenceNr] = (payload, now);
                    stream.Highest = Math.Max(stream.Highest, sequenceNr);
                }
            }
        }
        return Task.FromResult<IReadOnlyList<Exception?>>(results);
    }

    /// <inheritdoc />
    public Task ReplayMessagesAsync(string persistenceId, long fromSequenceNr, long toSequenceNr, long max,
        Action<Persistent> recoveryCallback, CancellationToken cancellationToken = default)
    {
        List<(long SequenceNr, StoredPayload Payload, long Timestamp)> selected;
        lock (_lock)
        {
            if (max <= 0 || !_streams.TryGetValue(persistenceId, out var stream)) return Task.CompletedTask;
            selected = stream.Events
                .Where(e => e.Key >= fromSequenceNr && e.Key <= toSequenceNr)
                .OrderBy(e => e.Key)
                .Take((int)Math.Min(max, int.MaxValue))
                .Select(e => (e.Key, e.Value.Payload, e.Value.Timestamp))
                .ToList();
        }
        foreach (var (sequenceNr, payload, timestamp) in selected)
            recoveryCallback(new Persistent(payload.ToValue(serialization), sequenceNr, persistenceId, timestamp));
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<long> ReadHighestSequenceNrAsync(string persistenceId, long fromSequenceNr, CancellationToken cancellationToken = default)
    {
        lock (_lock) return Task.FromResult(_streams.TryGetValue(persistenceId, out var stream) ? stream.Highest : 0L);
    }

    /// <inheritdoc />
    public Task DeleteMessagesToAsync(string persistenceId, long toSequenceNr, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            if (!_streams.TryGetValue(persistenceId, out var stream)) return Task.CompletedTask;
            foreach (var sequenceNr in stream.Events.Keys.Where(k => k <= toSequenceNr).ToList()) stream.Events.Remove(sequenceNr);
            stream.DeletedTo = Math.Max(stream.DeletedTo, Math.Min(toSequenceNr, stream.Highest));
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<string>> CurrentPersistenceIdsAsync(string prefix, CancellationToken cancellationToken = default)
    {
        lock (_lock)
            return Task.FromResult<IReadOnlyList<string>>(
                _streams.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList());
    }

    private sealed class Stream
    {
        public SortedDictionary<long, (StoredPayload Payload, long Timestamp)> Events { get; } = [];
        public long Highest { get; set; }
        public long DeletedTo { get; set; }
    }
}
