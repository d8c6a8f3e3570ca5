namespace AkkaRlhf.Models.Data;

/// <summary>
/// Where a <see cref="DatasetIterator{T}"/> stands: the next batch starts at item <paramref name="Offset"/>
/// of epoch <paramref name="Epoch"/>'s order. Persist it with the weights to resume a run exactly.
/// </summary>
public sealed record DataCursor(int Epoch, int Offset)
{
    /// <summary>The start of the first epoch.</summary>
    public static DataCursor Start { get; } = new(0, 0);

    public override string ToString() => $"epoch {Epoch}, offset {Offset}";
}

/// <summary>
/// Deterministic, resumable batches over an in-memory dataset. Each epoch visits every item once, in
/// an order that depends only on (seed, epoch) when shuffling; batches never span two epochs (the
/// last one of an epoch is short, or dropped with <c>dropLast</c>). Same seed + same cursor => same
/// following batches, so a run restarted from a saved <see cref="Cursor"/> neither skips nor repeats data.
/// </summary>
public sealed class DatasetIterator<T>
{
    private readonly IReadOnlyList<T> _items;
    private int[] _order = [];
    private int _orderEpoch = -1;

    /// <summary>Items per batch.</summary>
    public int BatchSize { get; }

    /// <summary>The shuffling seed.</summary>
    public long Seed { get; }

    /// <summary>Whether each epoch is shuffled (otherwise items come in file order).</summary>
    public bool Shuffle { get; }

    /// <summary>Whether a short last batch of an epoch is dropped.</summary>
    public bool DropLast { get; }

    /// <summary>The position of the next batch.</summary>
    public DataCursor Cursor { get; private set; }

    /// <summary>Number of items.</summary>
    public int Count => _items.Count;

    /// <summary>Batches in one epoch.</summary>
    public int BatchesPerEpoch => DropLast ? Count / BatchSize : (Count + BatchSize - 1) / BatchSize;

    public DatasetIterator(IReadOnlyList<T> items, int batchSize, long seed, bool shuffle = true, bool dropLast = false, DataCursor? cursor = null)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        if (items.Count == 0) throw new ArgumentException("the dataset is empty", nameof(items));
        if (dropLast && items.Count < batchSize)
            throw new ArgumentException($"with dropLast, {items.Count} items never fill a batch of {batchSize}", nameof(batchSize));
        _items = items;
        BatchSize = batchSize;
        Seed = seed;
        Shuffle = shuffle;
        DropLast = dropLast;
        Cursor = DataCursor.Start;
        if (cursor is not null) Seek(cursor);
    }

    /// <summary>Moves to <paramref name="cursor"/> (e.g. one restored from a checkpoint).</summary>
    public void Seek(DataCursor cursor)
    {
        ArgumentNullException.ThrowIfNull(cursor);
        if (cursor.Epoch < 0 || cursor.Offset < 0 || cursor.Offset > Count)
            throw new ArgumentOutOfRangeException(nameof(cursor), cursor, $"a cursor of a {Count}-item dataset has epoch >= 0 and offset in 0..{Count}");
        Cursor = Normalize(cursor);
    }

    /// <summary>The next batch; advances the cursor.</summary>
    public IReadOnlyList<T> Next()
    {
        var (epoch, offset) = (Cursor.Epoch, Cursor.Offset);
        var order = OrderOf(epoch);
        var n = Math.Min(BatchSize, Count - offset);
        var batch = new T[n];
        for (var i = 0; i < n; i++) batch[i] = _items[order[offset + i]];
        Cursor = Normalize(new DataCursor(epoch, offset + n));
        return batch;
    }

    /// <summary>The next <paramref name="count"/> batches.</summary>
    public IEnumerable<IReadOnlyList<T>> Take(int count)
    {
        for (var i = 0; i < count; i++) yield return Next();
    }

    /// <summary>The item order of <paramref name="epoch"/> (indices into the dataset).</summary>
    public static int[] EpochOrder(int count, long seed, int epoch, bool shuffle = true)
    {
        if (!shuffle) return Enumerable.Range(0, count).ToArray();
        return new SeededRandom(seed, stream: 1_000_003L + epoch).Permutation(count);
    }

    private int[] OrderOf(int epoch)
    {
        if (_orderEpoch != epoch)
        {
            _order = EpochOrder(Count, Seed, epoch, Shuffle);
            _orderEpoch = epoch;
        }
        return _order;
    }

    private DataCursor Normalize(DataCursor c)
    {
        var remaining = Count - c.Offset;
        return remaining == 0 || (DropLast && remaining < BatchSize) ? new DataCursor(c.Epoch + 1, 0) : c;
    }
}
