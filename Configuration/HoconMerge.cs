namespace AkkaRlhf.Configuration;

/// <summary>
/// The two combining rules of HOCON: merging (duplicate keys, includes, fallbacks) and
/// value concatenation (<c>a b c</c>, <c>[1] [2]</c>, <c>{a:1} {b:2}</c>).
/// </summary>
internal static class HoconMerge
{
    /// <summary>
    /// Merges <paramref name="above"/> over <paramref name="below"/>: objects merge recursively,
    /// any other value replaces. Unresolved values keep both in a <see cref="HoconMergeStack"/>.
    /// </summary>
    public static HoconValue Merge(HoconValue below, HoconValue above) => above switch
    {
        HoconObject top when below is HoconObject bottom => Objects(bottom, top),
        HoconObject top when below.IsResolvedKind() => new HoconObject(new(top.Fields), top.Origin, ignoresFallbacks: true),
        HoconObject or HoconSubstitution or HoconConcatenation or HoconMergeStack => Stack(below, above),
        _ => above,
    };

    /// <summary>Merges two objects field by field; <paramref name="above"/> wins.</summary>
    public static HoconObject Objects(HoconObject below, HoconObject above)
    {
        if (above.IgnoresFallbacks) return above;
        var fields = new OrderedDictionary<string, HoconValue>(below.Fields);
        foreach (var (key, value) in above.Fields)
            fields[key] = fields.TryGetValue(key, out var old) ? Merge(old, value) : value;
        return new HoconObject(fields, above.Origin, below.IgnoresFallbacks);
    }

    private static bool IsResolvedKind(this HoconValue v) => v is HoconObject or HoconArray or HoconScalar;

    private static HoconMergeStack Stack(HoconValue below, HoconValue above)
    {
        var layers = below is HoconMergeStack s ? s.Layers.ToList() : [below];
        if (above is HoconObject top && layers[^1] is HoconObject previous)
            layers[^1] = Objects(previous, top);
        else if (above is HoconMergeStack upper)
            layers.AddRange(upper.Layers);
        else
            layers.Add(above);
        return new HoconMergeStack(layers, above.Origin);
    }

    /// <summary>
    /// Combines the resolved parts of a value concatenation: all objects merge, all arrays append,
    /// all simple values join into one string (whitespace between them kept). A lone part keeps its type.
    /// Returns null when nothing is left (every part was an undefined optional substitution).
    /// </summary>
    public static HoconValue? Concatenate(IReadOnlyList<HoconValue> parts, HoconOrigin origin)
    {
        var trimmed = Trim(parts);
        if (trimmed.Count == 0) return null;
        if (trimmed.Count == 1) return trimmed[0];

        var values = trimmed.Where(p => p is not HoconScalar { IsUnquotedWhitespace: true }).ToList();
        if (values.All(v => v is HoconObject))
            return values.Cast<HoconObject>().Aggregate(Objects);
        if (values.All(v => v is HoconArray))
            return new HoconArray(values.SelectMany(v => ((HoconArray)v).Items).ToList(), values[0].Origin);
        if (values.All(v => v is HoconScalar))
            return HoconScalar.String(string.Concat(trimmed.Cast<HoconScalar>().Select(s => s.Text)), trimmed[0].Origin);

        var kinds = string.Join(", ", values.Select(v => v.TypeName).Distinct());
        throw ConfigurationException.At(origin,
            $"cannot concatenate values of different types ({kinds}); only strings, only arrays or only objects can be concatenated");
    }

    private static List<HoconValue> Trim(IReadOnlyList<HoconValue> parts)
    {
        static bool IsSpace(HoconValue v) => v is HoconScalar { IsUnquotedWhitespace: true };
        int start = 0, end = parts.Count;
        while (start < end && IsSpace(parts[start])) start++;
        while (end > start && IsSpace(parts[end - 1])) end--;
        return parts.Skip(start).Take(end - start).ToList();
    }
}
