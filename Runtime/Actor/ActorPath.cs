namespace AkkaRlhf.Runtime;

/// <summary>
/// The logical location of an actor: an <see cref="Address"/> plus the names from the root guardian
/// down, e.g. <c>akka://sys/user/parent/child</c>. Paths are values: equal text, equal path.
/// </summary>
public sealed class ActorPath : IEquatable<ActorPath>
{
    private readonly string[] _elements;
    private string? _text;

    private ActorPath(Address address, string[] elements)
    {
        Address = address;
        _elements = elements;
    }

    /// <summary>The root path (<c>/</c>) of a system at <paramref name="address"/>.</summary>
    public static ActorPath Root(Address address) => new(address, []);

    /// <summary>The system this path lives in.</summary>
    public Address Address { get; }

    /// <summary>The names below the root, top first.</summary>
    public IReadOnlyList<string> Elements => _elements;

    /// <summary>The last element (the actor's name), or <c>/</c> for the root.</summary>
    public string Name => _elements.Length == 0 ? "/" : _elements[^1];

    /// <summary>The parent path (the root is its own parent).</summary>
    public ActorPath Parent => _elements.Length == 0 ? this : new ActorPath(Address, _elements[..^1]);

    /// <summary>The child path named <paramref name="name"/>.</summary>
    public ActorPath Child(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Contains('/'))
            throw new ArgumentException($"'{name}' is not a valid actor name.", nameof(name));
        return new ActorPath(Address, [.. _elements, name]);
    }

    /// <summary>Same as <see cref="Child"/>.</summary>
    public static ActorPath operator /(ActorPath path, string name) => path.Child(name);

    /// <summary>The path without its address, e.g. <c>/user/a</c>.</summary>
    public string ToStringWithoutAddress() => "/" + string.Join('/', _elements);

    /// <summary>The full path, e.g. <c>akka://sys/user/a</c>.</summary>
    public override string ToString() => _text ??= Address + ToStringWithoutAddress();

    /// <summary>Parses a full path such as <c>akka://sys/user/a</c>.</summary>
    public static ActorPath Parse(string text)
    {
        if (!TryParse(text, out var path)) throw new FormatException($"'{text}' is not an actor path (akka://system/user/...).");
        return path;
    }

    /// <summary>Parses a full path; false when <paramref name="text"/> is not one.</summary>
    public static bool TryParse(string text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ActorPath? path)
    {
        path = null;
        var sep = text.IndexOf("://", StringComparison.Ordinal);
        if (sep <= 0) return false;
        var slash = text.IndexOf('/', sep + 3);
        var addressText = slash < 0 ? text : text[..slash];
        Address address;
        try { address = Address.Parse(addressText); }
        catch (FormatException) { return false; }
        var elements = slash < 0 ? [] : text[(slash + 1)..].Split('/', StringSplitOptions.RemoveEmptyEntries);
        path = new ActorPath(address, elements);
        return true;
    }

    /// <inheritdoc />
    public bool Equals(ActorPath? other) => other is not null && ToString() == other.ToString();

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as ActorPath);

    /// <inheritdoc />
    public override int GetHashCode() => ToString().GetHashCode(StringComparison.Ordinal);
}
