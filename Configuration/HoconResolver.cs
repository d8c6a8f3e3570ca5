namespace AkkaRlhf.Configuration;

/// <summary>
/// Replaces substitutions with the values they point to.
/// <para>
/// Lookups are lazy and memoized per substitution. A node whose resolution is in progress is
/// "active": a lookup that reaches an active field sees only the definitions below it in its
/// <see cref="HoconMergeStack"/> (that is how <c>path = ${path}:/bin</c> looks back), and with nothing
/// below the lookup finds nothing — a self-reference without an earlier value, or a cycle.
/// </para>
/// </summary>
internal sealed class HoconResolver
{
    private readonly HoconObject _root;
    private readonly Func<string, string?> _environment;
    private readonly Dictionary<HoconValue, HoconValue?> _shallow = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<HoconValue, HoconValue?> _full = new(ReferenceEqualityComparer.Instance);
    private readonly List<HoconValue> _active = [];
    private readonly HashSet<HoconValue> _fullActive = new(ReferenceEqualityComparer.Instance);
    private HoconValue? _blockedBy;

    private HoconResolver(HoconObject root, Func<string, string?> environment) => (_root, _environment) = (root, environment);

    /// <summary>Resolves every substitution of <paramref name="root"/>.</summary>
    /// <param name="environment">Fallback for substitutions missing from the tree (environment variables).</param>
    public static HoconObject Resolve(HoconObject root, Func<string, string?> environment) =>
        root.IsResolved ? root : (HoconObject)new HoconResolver(root, environment).Full(root)!;

    /// <summary>Resolves a value and everything inside it. Null means "undefined" (the field is dropped).</summary>
    private HoconValue? Full(HoconValue value)
    {
        if (value.IsResolved) return value;
        if (_full.TryGetValue(value, out var done)) return done;
        if (!_fullActive.Add(value))
            throw ConfigurationException.At(value.Origin, "substitution cycle: this value contains a reference to itself");
        HoconValue? result = value switch
        {
            HoconObject o => new HoconObject(new OrderedDictionary<string, HoconValue>(
                o.Fields.Select(f => (f.Key, Value: Full(f.Value))).Where(f => f.Value is not null)
                    .Select(f => KeyValuePair.Create(f.Key, f.Value!))), o.Origin),
            HoconArray a => new HoconArray(a.Items.Select(Full).OfType<HoconValue>().ToList(), a.Origin),
            _ => Shallow(value) is { } v ? Full(v) : null,
        };
        _fullActive.Remove(value);
        _full[value] = result;
        return result;
    }

    /// <summary>Resolves just enough to know what the value is; object fields and array items may stay unresolved.</summary>
    private HoconValue? Shallow(HoconValue value)
    {
        if (value is HoconObject or HoconArray or HoconScalar) return value;
        if (_shallow.TryGetValue(value, out var done)) return done;
        if (_active.Contains(value, ReferenceEqualityComparer.Instance)) { _blockedBy = value; return null; }
        if (value is HoconMergeStack stack) return Stack(stack);

        _active.Add(value);
        try
        {
            var result = value switch
            {
                HoconSubstitution s => Substitute(s),
                HoconConcatenation c => HoconMerge.Concatenate(c.Parts.Select(Shallow).OfType<HoconValue>().ToList(), c.Origin),
                _ => throw new InvalidOperationException($"unexpected node {value.GetType().Name}"),
            };
            _shallow[value] = result;
            return result;
        }
        finally { _active.RemoveAt(_active.Count - 1); }
    }

    /// <summary>The top definition wins; objects merge with the definitions below until a non-object.</summary>
    private HoconValue? Stack(HoconMergeStack stack)
    {
        int firstActive = Enumerable.Range(0, stack.Layers.Count).FirstOrDefault(i => _active.Contains(stack.Layers[i], ReferenceEqualityComparer.Instance), -1);
        int top = firstActive < 0 ? stack.Layers.Count - 1 : firstActive - 1;
        HoconObject? merged = null;
        HoconValue? result = null;
        for (int i = top; i >= 0 && result is null; i--)
        {
            switch (Shallow(stack.Layers[i]))
            {
                case null: continue;
                case HoconObject o: merged = merged is null ? o : HoconMerge.Objects(o, merged); break;
                case var other: result = merged ?? other; break;
            }
        }
        result ??= merged;
        if (firstActive < 0) _shallow[stack] = result;
        else if (result is null) _blockedBy = stack.Layers[firstActive];
        return result;
    }

    private HoconValue? Substitute(HoconSubstitution s)
    {
        _blockedBy = null;
        var found = s.IncludePrefix.Count > 0 ? Lookup(s.IncludePrefix.Concat(s.Path).ToList()) : null;
        found ??= Lookup(s.Path);
        var blocked = _blockedBy;
        if (found is not null) return found;

        var name = string.Join('.', s.Path);
        if (_environment(name) is { } env)
            return HoconScalar.String(env, new HoconOrigin($"environment variable {name}", 0, 0));
        if (s.Optional) return null;
        throw NotFound(s, blocked);
    }

    /// <summary>Walks the tree along <paramref name="path"/>; null when something on the way is missing or undefined.</summary>
    private HoconValue? Lookup(IReadOnlyList<string> path)
    {
        HoconValue? node = _root;
        foreach (var key in path)
        {
            if (Shallow(node!) is not HoconObject o || !o.TryGetValue(key, out node)) return null;
        }
        return Shallow(node!);
    }

    private ConfigurationException NotFound(HoconSubstitution s, HoconValue? blocked)
    {
        int from = blocked is null ? -1 : _active.FindIndex(v => ReferenceEquals(v, blocked));
        var chain = from < 0 ? [] : _active.Skip(from).OfType<HoconSubstitution>().ToList();
        if (chain.Count > 1)
        {
            var steps = string.Join(" -> ", chain.Select(c => $"{c} at {c.Origin}"));
            return new ConfigurationException($"{s.Origin}: substitution cycle: {steps} -> back to {chain[0]}", s.Origin, HoconPath.Render(s.Path));
        }
        var why = chain.Count == 1 ? " (it refers to itself and there is no earlier value to build on)" : "";
        return new ConfigurationException(
            $"{s.Origin}: could not resolve substitution {s}: '{HoconPath.Render(s.Path)}' is not defined in the configuration " +
            $"nor as an environment variable{why}; use ${{?...}} if it is optional", s.Origin, HoconPath.Render(s.Path));
    }
}
