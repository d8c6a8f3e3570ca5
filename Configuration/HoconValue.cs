using System.Diagnostics.CodeAnalysis;

namespace AkkaRlhf.Configuration;

/// <summary>
/// A node of the configuration tree. A resolved tree holds only <see cref="HoconObject"/>,
/// <see cref="HoconArray"/> and <see cref="HoconScalar"/>; parsing may also produce internal
/// substitution, concatenation and merge nodes that <see cref="HoconResolver"/> removes.
/// </summary>
public abstract class HoconValue
{
    private protected HoconValue(HoconOrigin origin) => Origin = origin;

    /// <summary>Where this value was written.</summary>
    public HoconOrigin Origin { get; }

    /// <summary>The type name used in error messages: object, array, string, number, boolean, null.</summary>
    public abstract string TypeName { get; }

    /// <summary>True when this value and everything below it contain no substitutions.</summary>
    internal abstract bool IsResolved { get; }
}

/// <summary>An object: fields in the order they were first defined.</summary>
public sealed class HoconObject : HoconValue
{
    private readonly OrderedDictionary<string, HoconValue> _fields;
    private readonly bool _resolved;

    internal HoconObject(OrderedDictionary<string, HoconValue> fields, HoconOrigin origin, bool ignoresFallbacks = false) : base(origin)
    {
        _fields = fields;
        _resolved = fields.Values.All(v => v.IsResolved);
        IgnoresFallbacks = ignoresFallbacks;
    }

    /// <summary>
    /// Set once this object has been merged over a non-object: merging is pairwise, so objects
    /// further down (e.g. in a later <see cref="Config.WithFallback"/>) must not merge into it.
    /// </summary>
    internal bool IgnoresFallbacks { get; }

    /// <summary>The empty object.</summary>
    public static HoconObject Empty { get; } = new([], new HoconOrigin("empty config", 0, 0));

    /// <summary>The keys, in definition order.</summary>
    public IReadOnlyList<string> Keys => _fields.Keys;

    /// <summary>The fields, in definition order.</summary>
    public IEnumerable<KeyValuePair<string, HoconValue>> Fields => _fields;

    /// <summary>Number of fields.</summary>
    public int Count => _fields.Count;

    /// <summary>The value of a key (a single key, not a path).</summary>
    public HoconValue this[string key] => _fields[key];

    /// <summary>Looks up a single key (not a path).</summary>
    public bool TryGetValue(string key, [MaybeNullWhen(false)] out HoconValue value) => _fields.TryGetValue(key, out value);

    /// <inheritdoc/>
    public override string TypeName => "object";

    internal override bool IsResolved => _resolved;
}

/// <summary>An array of values.</summary>
public sealed class HoconArray : HoconValue
{
    internal HoconArray(IReadOnlyList<HoconValue> items, HoconOrigin origin) : base(origin) => Items = items;

    /// <summary>The elements.</summary>
    public IReadOnlyList<HoconValue> Items { get; }

    /// <inheritdoc/>
    public override string TypeName => "array";

    internal override bool IsResolved => Items.All(i => i.IsResolved);
}

/// <summary>The kinds of simple value.</summary>
public enum HoconScalarKind
{
    /// <summary>A quoted, unquoted or triple-quoted string.</summary>
    String,
    /// <summary>A number; <see cref="HoconScalar.Text"/> keeps it as written.</summary>
    Number,
    /// <summary>true or false.</summary>
    Boolean,
    /// <summary>null.</summary>
    Null,
}

/// <summary>A simple value: string, number, boolean or null. <see cref="Text"/> is its string form.</summary>
public sealed class HoconScalar : HoconValue
{
    internal HoconScalar(HoconScalarKind kind, string text, HoconOrigin origin, bool isWhitespace = false) : base(origin)
    {
        Kind = kind;
        Text = text;
        IsUnquotedWhitespace = isWhitespace;
    }

    /// <summary>The kind of value.</summary>
    public HoconScalarKind Kind { get; }

    /// <summary>The string form: the string itself, a number as written, "true"/"false", or "null".</summary>
    public string Text { get; }

    /// <summary>Unquoted whitespace between the parts of a concatenation (dropped between objects/arrays).</summary>
    internal bool IsUnquotedWhitespace { get; }

    /// <inheritdoc/>
    public override string TypeName => Kind switch
    {
        HoconScalarKind.String => "string",
        HoconScalarKind.Number => "number",
        HoconScalarKind.Boolean => "boolean",
        _ => "null",
    };

    internal override bool IsResolved => true;

    internal static HoconScalar String(string text, HoconOrigin origin) => new(HoconScalarKind.String, text, origin);
}

/// <summary><c>${path}</c> or <c>${?path}</c>. Values from included files also try the path under the include point.</summary>
internal sealed class HoconSubstitution(IReadOnlyList<string> path, bool optional, IReadOnlyList<string> includePrefix, HoconOrigin origin)
    : HoconValue(origin)
{
    public IReadOnlyList<string> Path { get; } = path;
    public bool Optional { get; } = optional;
    public IReadOnlyList<string> IncludePrefix { get; } = includePrefix;
    public override string TypeName => "substitution";
    internal override bool IsResolved => false;
    public override string ToString() => $"${{{(Optional ? "?" : "")}{HoconPath.Render(Path)}}}";
}

/// <summary>A value concatenation that contains substitutions, combined once they are resolved.</summary>
internal sealed class HoconConcatenation(IReadOnlyList<HoconValue> parts, HoconOrigin origin) : HoconValue(origin)
{
    public IReadOnlyList<HoconValue> Parts { get; } = parts;
    public override string TypeName => "concatenation";
    internal override bool IsResolved => false;
}

/// <summary>
/// Successive definitions of one field (bottom first) where an upper one is not yet resolved,
/// e.g. <c>a = [1]</c> then <c>a = ${a} [2]</c>. Self-references look only at the layers below.
/// </summary>
internal sealed class HoconMergeStack(IReadOnlyList<HoconValue> layers, HoconOrigin origin) : HoconValue(origin)
{
    public IReadOnlyList<HoconValue> Layers { get; } = layers;
    public override string TypeName => "merge";
    internal override bool IsResolved => false;
}
