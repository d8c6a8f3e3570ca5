namespace AkkaRlhf.Persistence.Runs;

/// <summary>
/// Keep-last-N retention of checkpoints: after a new checkpoint, every retained one except the <see cref="KeepLast"/>
/// newest (by step, then by order saved) is given up. 0 keeps everything.
/// </summary>
public sealed record CheckpointRetention(int KeepLast)
{
    /// <summary>Keeps every checkpoint.</summary>
    public static CheckpointRetention KeepAll { get; } = new(0);

    /// <summary>The paths to give up among <paramref name="retained"/> (oldest first).</summary>
    public IReadOnlyList<string> SelectForDeletion(IReadOnlyList<CheckpointSaved> retained)
    {
        ArgumentNullException.ThrowIfNull(retained);
        if (KeepLast <= 0 || retained.Count <= KeepLast) return [];
        var newest = retained.Select((c, i) => (c, i)).OrderByDescending(x => x.c.Step).ThenByDescending(x => x.i).Take(KeepLast)
            .Select(x => x.c.Path).ToHashSet(StringComparer.Ordinal);
        return retained.Where(c => !newest.Contains(c.Path)).Select(c => c.Path).ToList();
    }
}
