namespace AkkaRlhf.Configuration;

/// <summary>
/// Finds settings that no module reads: keys under a root (e.g. <c>akka-rlhf</c>) that are not in the reference
/// configuration (every module's reference.conf documents every key it reads). A misspelt key would otherwise be
/// ignored silently and its default used; here it is an error with a "did you mean" from the reference.
/// </summary>
public static class UnknownKeys
{
    /// <summary>
    /// Throws for the first key of <paramref name="config"/> under <paramref name="root"/> that <paramref name="reference"/>
    /// does not have (naming where it was set and the closest known key). Objects for which <paramref name="isOpen"/> is true
    /// (a plug-in's own block) may hold any key.
    /// </summary>
    /// <exception cref="ConfigurationException">A key the reference does not know.</exception>
    public static void Check(Config config, Config reference, string root, Func<string, Config, bool>? isOpen = null)
    {
        if (!config.HasPath(root) || config.GetValue(root) is not HoconObject) return;
        Walk(config.GetConfig(root).Root, reference.HasPath(root) ? reference.GetConfig(root).Root : HoconObject.Empty, root, config, isOpen);
    }

    private static void Walk(HoconObject value, HoconObject known, string path, Config config, Func<string, Config, bool>? isOpen)
    {
        if (isOpen?.Invoke(path, config.GetConfig(path)) == true) return;
        foreach (var (key, child) in value.Fields)
        {
            var childPath = path + "." + HoconPath.RenderKey(key);
            if (!known.TryGetValue(key, out var reference))
            {
                var hint = Closest(key, known.Keys) is { } near ? $" (did you mean {path}.{HoconPath.RenderKey(near)}?)" : "";
                throw new ConfigurationException($"{child.Origin}: unknown setting {childPath}{hint}; the keys under {path} are: " +
                    string.Join(", ", known.Keys), child.Origin, childPath);
            }
            if (child is HoconObject inner && reference is HoconObject knownInner) Walk(inner, knownInner, childPath, config, isOpen);
        }
    }

    /// <summary>The known key nearest to <paramref name="key"/> by edit distance, when it is close enough to be a typo.</summary>
    public static string? Closest(string key, IEnumerable<string> known) =>
        known.Select(k => (Key: k, Distance: Distance(key, k)))
            .Where(x => x.Distance <= Math.Max(2, key.Length / 3))
            .OrderBy(x => x.Distance).ThenBy(x => x.Key, StringComparer.Ordinal)
            .Select(x => x.Key).FirstOrDefault();

    /// <summary>Levenshtein distance.</summary>
    private static int Distance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            previous = current;
        }
        return previous[b.Length];
    }
}
