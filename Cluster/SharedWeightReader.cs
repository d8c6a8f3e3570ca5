namespace AkkaRlhf.Cluster;

/// <summary>
/// Reads weights sent by reference (<see cref="WeightReference"/>) on a receiving node, off its node queue (a large file does not
/// hold up replies): only files under this node's <c>akka.cluster.weights.shared-dir</c> (a reference from the broker never
/// makes a node read anything else), with retries while the file cannot be read yet (shared storage may show a new file late).
/// </summary>
internal static class SharedWeightReader
{
    /// <summary>Waits before the attempts after the first (about 30 s in all).</summary>
    private static readonly TimeSpan[] Backoff = [.. new[] { 250, 500, 1000, 2000, 4000, 5000, 5000, 5000, 5000 }.Select(ms => TimeSpan.FromMilliseconds(ms))];

    /// <summary>
    /// The file's bytes, or null (with a warning) when it is outside <paramref name="sharedDir"/>, cannot be read after the retries, or
    /// is no longer wanted (<paramref name="wanted"/> turned false: a newer version arrived meanwhile).
    /// </summary>
    public static async Task<byte[]?> ReadAsync(WeightReference reference, string sharedDir, Func<bool> wanted, Action<string> warn)
    {
        var what = $"{reference.Name} v{reference.Version} by reference ({reference.Path})";
        if (sharedDir.Length == 0)
        {
            warn($"Refused {what}: this node has no akka.cluster.weights.shared-dir, so it reads no files named by messages.");
            return null;
        }
        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(sharedDir)) + Path.DirectorySeparatorChar;
        var path = Path.GetFullPath(reference.Path);
        if (!path.StartsWith(root, StringComparison.Ordinal))
        {
            warn($"Refused {what}: the file is not under akka.cluster.weights.shared-dir ({root}).");
            return null;
        }
        for (var attempt = 0; ; attempt++)
        {
            if (!wanted()) return null;
            try
            {
                return await File.ReadAllBytesAsync(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                if (attempt == Backoff.Length)
                {
                    warn($"Rejected {what}: cannot read it after {attempt + 1} attempts: {e.Message}");
                    return null;
                }
                await Task.Delay(Backoff[attempt]);
            }
        }
    }
}
