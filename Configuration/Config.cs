using System.Globalization;

namespace AkkaRlhf.Configuration;

/// <summary>
/// An immutable configuration. Substitutions are resolved on first use (or by <see cref="Resolve"/>);
/// <see cref="WithFallback"/> merges the unresolved sources, so substitutions see every layer.
/// Getters take path expressions such as <c>akka.actor."my.key"</c>.
/// </summary>
public sealed class Config
{
    private readonly HoconObject _source;
    private readonly Lazy<HoconObject> _resolved;

    internal Config(HoconObject source, Func<string, string?>? environment = null)
    {
        _source = source;
        _resolved = new(() => HoconResolver.Resolve(source, environment ?? Environment.GetEnvironmentVariable));
    }

    /// <summary>The resolved root object (resolving now if needed).</summary>
    /// <exception cref="ConfigurationException">A substitution cannot be resolved.</exception>
    public HoconObject Root => _resolved.Value;

    /// <summary>True when the configuration has no keys.</summary>
    public bool IsEmpty => Root.Count == 0;

    /// <summary>Resolves all substitutions now, so errors surface here rather than in a getter.</summary>
    /// <param name="environment">Where missing substitutions are looked up; the process environment when null.</param>
    /// <exception cref="ConfigurationException">A substitution is undefined or part of a cycle.</exception>
    public Config Resolve(Func<string, string?>? environment = null)
    {
        var config = environment is null ? this : new Config(_source, environment);
        _ = config.Root;
        return config;
    }

    /// <summary>This configuration with <paramref name="fallback"/> underneath: this wins, objects merge recursively.</summary>
    public Config WithFallback(Config fallback) => new(HoconMerge.Objects(fallback._source, _source));

    /// <summary>True when the path exists and is not null.</summary>
    public bool HasPath(string path) => Find(path) is not (null or HoconScalar { Kind: HoconScalarKind.Null });

    /// <summary>The value at a path, or null when absent.</summary>
    public HoconValue? GetValue(string path) => Find(path);

    /// <summary>A string (numbers and booleans are converted).</summary>
    public string GetString(string path, string? @default = null) =>
        Get(path, @default is not null, @default!, AsString, "a string");

    /// <summary>A boolean: true/false, on/off, yes/no (any case).</summary>
    public bool GetBoolean(string path, bool? @default = null) =>
        Get(path, @default.HasValue, @default.GetValueOrDefault(), AsBoolean, "a boolean (true/false, on/off, yes/no)");

    /// <summary>A 32-bit integer.</summary>
    public int GetInt(string path, int? @default = null) =>
        Get(path, @default.HasValue, @default.GetValueOrDefault(), AsInt, "a 32-bit integer");

    /// <summary>A 64-bit integer.</summary>
    public long GetLong(string path, long? @default = null) =>
        Get(path, @default.HasValue, @default.GetValueOrDefault(), AsLong, "a 64-bit integer");

    /// <summary>A floating-point number.</summary>
    public double GetDouble(string path, double? @default = null) =>
        Get(path, @default.HasValue, @default.GetValueOrDefault(), AsDouble, "a number");

    /// <summary>
    /// A duration: a bare number is milliseconds; otherwise a number and a unit (ns, us, ms, s, m, h, d or long
    /// forms such as "seconds", "millis"). "infinite" gives <see cref="Timeout.InfiniteTimeSpan"/>.
    /// </summary>
    public TimeSpan GetTimeSpan(string path, TimeSpan? @default = null) =>
        Get(path, @default.HasValue, @default.GetValueOrDefault(),
            v => Text(v) is { } t && Units.TryParseDuration(t, out var d) ? (true, d) : (false, default),
            $"a duration such as '10s' or '500 ms' (units: {Units.DurationUnits})");

    /// <summary>A size in bytes: a bare number is bytes; kB/MB/GB are powers of 1000, K/KiB/M/MiB... powers of 1024.</summary>
    public long GetByteSize(string path, long? @default = null) =>
        Get(path, @default.HasValue, @default.GetValueOrDefault(),
            v => Text(v) is { } t && Units.TryParseBytes(t, out var b) ? (true, b) : (false, 0L),
            $"a size in bytes such as '512 KiB' (units: {Units.SizeUnits})");

    /// <summary>A list of strings (numbers and booleans are converted).</summary>
    public IReadOnlyList<string> GetStringList(string path, IReadOnlyList<string>? @default = null) =>
        GetList(path, @default, AsString, "strings");

    /// <summary>A list of 32-bit integers.</summary>
    public IReadOnlyList<int> GetIntList(string path, IReadOnlyList<int>? @default = null) =>
        GetList(path, @default, AsInt, "32-bit integers");

    /// <summary>A list of 64-bit integers.</summary>
    public IReadOnlyList<long> GetLongList(string path, IReadOnlyList<long>? @default = null) =>
        GetList(path, @default, AsLong, "64-bit integers");

    /// <summary>A list of numbers.</summary>
    public IReadOnlyList<double> GetDoubleList(string path, IReadOnlyList<double>? @default = null) =>
        GetList(path, @default, AsDouble, "numbers");

    /// <summary>A list of booleans.</summary>
    public IReadOnlyList<bool> GetBooleanList(string path, IReadOnlyList<bool>? @default = null) =>
        GetList(path, @default, AsBoolean, "booleans");

    /// <summary>The sub-tree at a path as a configuration; empty when the path is absent.</summary>
    /// <exception cref="ConfigurationException">The value is not an object.</exception>
    public Config GetConfig(string path) => Find(path) switch
    {
        null or HoconScalar { Kind: HoconScalarKind.Null } => ConfigurationFactory.Empty,
        HoconObject o => new Config(o),
        var other => throw WrongType(path, other, "an object"),
    };

    /// <summary>The keys of the object at a path, in definition order; empty when absent.</summary>
    public IReadOnlyList<string> GetObjectKeys(string path) => GetConfig(path).Root.Keys;

    /// <summary>The top-level fields.</summary>
    public IEnumerable<KeyValuePair<string, HoconValue>> AsEnumerable() => Root.Fields;

    /// <summary>The resolved tree as plain JSON.</summary>
    public string ToJson(bool indented = false) => HoconRenderer.ToJson(Root, indented);

    /// <summary>The resolved tree as HOCON, keys in definition order.</summary>
    public string ToHocon() => HoconRenderer.ToHocon(Root);

    /// <inheritdoc cref="ToHocon"/>
    public override string ToString() => ToHocon();

    private HoconValue? Find(string path)
    {
        HoconValue node = Root;
        if (string.IsNullOrWhiteSpace(path)) return node;
        foreach (var key in HoconPath.Parse(path))
            if (node is not HoconObject o || !o.TryGetValue(key, out node!)) return null;
        return node;
    }

    private T Get<T>(string path, bool hasDefault, T @default, Func<HoconValue, (bool Ok, T Value)> convert, string expected)
    {
        var value = Find(path);
        if (value is null or HoconScalar { Kind: HoconScalarKind.Null })
            return hasDefault ? @default : throw Missing(path, value);
        var (ok, result) = convert(value);
        return ok ? result : throw WrongType(path, value, expected);
    }

    private IReadOnlyList<T> GetList<T>(string path, IReadOnlyList<T>? @default, Func<HoconValue, (bool Ok, T Value)> convert, string expected)
    {
        var value = Find(path);
        if (value is null or HoconScalar { Kind: HoconScalarKind.Null })
            return @default ?? throw Missing(path, value);
        var items = value switch
        {
            HoconArray a => a.Items,
            HoconObject o when NumericKeys(o) is { Count: > 0 } indexed => indexed,
            _ => throw WrongType(path, value, $"a list of {expected}"),
        };
        return items.Select((item, i) => convert(item) is (true, var x) ? x : throw WrongType($"{path}[{i}]", item, $"one of a list of {expected}")).ToList();
    }

    private static (bool, string) AsString(HoconValue v) => Text(v) is { } t ? (true, t) : (false, "");

    private static (bool, bool) AsBoolean(HoconValue v) => Text(v)?.ToLowerInvariant() switch
    {
        "true" or "on" or "yes" => (true, true),
        "false" or "off" or "no" => (true, false),
        _ => (false, false),
    };

    private static (bool, int) AsInt(HoconValue v) => AsLong(v) is (true, >= int.MinValue and <= int.MaxValue and var n) ? (true, (int)n) : (false, 0);

    private static (bool, long) AsLong(HoconValue v)
    {
        if (long.TryParse(Text(v), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)) return (true, n);
        return AsDouble(v) is (true, var d) && Math.Floor(d) == d && d is >= long.MinValue and < long.MaxValue ? (true, (long)d) : (false, 0);
    }

    private static (bool, double) AsDouble(HoconValue v) =>
        Text(v) is { } t && double.TryParse(t.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d)
            ? (true, d) : (false, 0);

    /// <summary>The spec's conversion of numerically-indexed objects ({"0": a, "1": b}) to arrays.</summary>
    private static List<HoconValue> NumericKeys(HoconObject o) =>
        o.Fields.Where(f => int.TryParse(f.Key, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            .OrderBy(f => int.Parse(f.Key, CultureInfo.InvariantCulture)).Select(f => f.Value).ToList();

    private static string? Text(HoconValue v) => v is HoconScalar { Kind: not HoconScalarKind.Null } s ? s.Text : null;

    private ConfigurationException Missing(string path, HoconValue? value)
    {
        if (value is not null)
            return new($"Configuration value '{path}' at {value.Origin} is null but a value is required", value.Origin, path);
        var keys = HoconPath.Parse(path);
        HoconValue node = Root;
        int depth = 0;
        while (depth < keys.Count && node is HoconObject o && o.TryGetValue(keys[depth], out var next)) { node = next; depth++; }
        var where = node is HoconObject
            ? $"no key '{keys[depth]}' in {(depth == 0 ? "the root object" : $"'{HoconPath.Render(keys.Take(depth))}'")} defined at {node.Origin}"
            : $"'{HoconPath.Render(keys.Take(depth))}' at {node.Origin} is a {node.TypeName}, not an object";
        return new($"Missing configuration value '{path}': {where}", node.Origin, path);
    }

    private static ConfigurationException WrongType(string path, HoconValue value, string expected)
    {
        var shown = value is HoconScalar s ? $" {HoconRenderer.Quote(s.Text)}" : "";
        return new($"{value.Origin}: configuration value '{path}' should be {expected} but is {value.TypeName}{shown}", value.Origin, path);
    }
}
