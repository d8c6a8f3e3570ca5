namespace AkkaRlhf.Models;

/// <summary>
/// Writes a folder all at once: its files go into a sibling temp folder, which then replaces the target by two renames.
/// A reader sees the old folder or the new one, never a half-written one; a crash leaves only a hidden temp folder.
/// </summary>
internal static class AtomicFolder
{
    /// <summary>Calls <paramref name="fill"/> with an empty temp folder (it writes and fsyncs the files), then moves it to <paramref name="dir"/>.</summary>
    public static void Write(string dir, Action<string> fill)
    {
        var target = Path.GetFullPath(dir).TrimEnd(Path.DirectorySeparatorChar);
        var parent = Path.GetDirectoryName(target)!;
        Directory.CreateDirectory(parent);
        var tmp = Path.Combine(parent, "." + Path.GetFileName(target) + ".tmp-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(tmp);
        try
        {
            fill(tmp);
            string? old = null;
            if (Directory.Exists(target))
            {
                old = Path.Combine(parent, "." + Path.GetFileName(target) + ".old-" + Guid.NewGuid().ToString("N"));
                Directory.Move(target, old);
            }
            Directory.Move(tmp, target);
            if (old is not null) Directory.Delete(old, recursive: true);
        }
        finally
        {
            if (Directory.Exists(tmp)) Directory.Delete(tmp, recursive: true);
        }
    }
}
