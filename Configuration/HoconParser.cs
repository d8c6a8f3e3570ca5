using System.Text.RegularExpressions;

namespace AkkaRlhf.Configuration;

/// <summary>
/// Recursive-descent parser from tokens to an unresolved value tree. Merging of duplicate keys and
/// includes happens here; substitutions are left for <see cref="HoconResolver"/>.
/// </summary>
internal sealed partial class HoconParser
{
    private readonly List<Token> _tokens;
    private readonly Includer _includer;
    private readonly IReadOnlyList<string> _includePrefix;
    private int _pos;

    private HoconParser(List<Token> tokens, Includer includer, IReadOnlyList<string> includePrefix)
        => (_tokens, _includer, _includePrefix) = (tokens, includer, includePrefix);

    /// <summary>Parses a document whose root must be an object (braces optional).</summary>
    /// <param name="includePrefix">For included files: the path of the include point, used to fix up substitutions.</param>
    public static HoconObject ParseObject(string text, string source, Includer includer, IReadOnlyList<string>? includePrefix = null)
    {
        var parser = new HoconParser(HoconTokenizer.Tokenize(text, source), includer, includePrefix ?? []);
        parser.SkipBlank();
        var first = parser.Peek;
        if (first.Kind == TokenKind.OpenBracket)
            throw ConfigurationException.At(first.Origin, "the root of a configuration must be an object, not an array");
        bool braced = first.Kind == TokenKind.OpenBrace;
        if (braced) parser._pos++;
        var root = parser.Object(braced, [], first.Origin);
        parser.SkipBlank();
        if (parser.Peek.Kind != TokenKind.End)
            throw ConfigurationException.At(parser.Peek.Origin, $"unexpected {parser.Peek} after the end of the root object");
        return root;
    }

    private Token Peek => _tokens[_pos];
    private Token Take() => _tokens[_pos++];

    private void SkipSpaces() { while (Peek.Kind == TokenKind.Whitespace) _pos++; }
    private void SkipBlank() { while (Peek.Kind is TokenKind.Whitespace or TokenKind.Newline) _pos++; }

    /// <summary>Fields until '}' (braced) or end of input. <paramref name="path"/> is null inside arrays.</summary>
    private HoconObject Object(bool braced, IReadOnlyList<string>? path, HoconOrigin origin)
    {
        var fields = new OrderedDictionary<string, HoconValue>();
        while (true)
        {
            SkipBlank();
            var t = Peek;
            if (braced && t.Kind == TokenKind.CloseBrace) { _pos++; break; }
            if (t.Kind == TokenKind.End)
            {
                if (braced) throw ConfigurationException.At(origin, "'{' is never closed; expected '}'");
                break;
            }
            if (t.Kind == TokenKind.CloseBrace) throw ConfigurationException.At(t.Origin, "unbalanced '}' with no matching '{'");
            if (t.Kind == TokenKind.Comma) throw ConfigurationException.At(t.Origin, "unexpected ','; expected a key (two commas in a row, or a leading comma?)");

            if (t.Kind == TokenKind.Unquoted && t.Text == "include") Include(fields, path);
            else Field(fields, path);

            SkipSpaces();
            var after = Peek;
            if (after.Kind == TokenKind.Comma) _pos++;
            else if (after.Kind is TokenKind.Colon or TokenKind.Equals)
                throw ConfigurationException.At(after.Origin, $"{after} is reserved outside quotes; put the text in double quotes, e.g. a = ${{a}}\":/bin\"");
            else if (after.Kind is not (TokenKind.Newline or TokenKind.CloseBrace or TokenKind.End))
                throw ConfigurationException.At(after.Origin, $"unexpected {after} after a field; expected ',' or a newline");
        }
        return new HoconObject(fields, origin);
    }

    private void Field(OrderedDictionary<string, HoconValue> fields, IReadOnlyList<string>? path)
    {
        var keyOrigin = Peek.Origin;
        var keyTokens = new List<Token>();
        while (Peek.IsSimple || Peek.Kind == TokenKind.Whitespace) keyTokens.Add(Take());
        if (keyTokens.Count == 0) throw ConfigurationException.At(keyOrigin, $"expected a key but found {Peek}");
        var key = HoconPath.FromTokens(keyTokens, keyOrigin);
        var fullPath = path is null ? null : path.Concat(key).ToList();

        SkipBlank();
        var separator = Peek;
        if (separator.Kind is TokenKind.Colon or TokenKind.Equals or TokenKind.PlusEquals) { _pos++; SkipBlank(); }
        else if (separator.Kind != TokenKind.OpenBrace)
            throw ConfigurationException.At(keyOrigin,
                $"expected ':', '=' or '{{' after key '{HoconPath.Render(key)}' but found {separator}");

        var value = Value(fullPath);
        if (separator.Kind == TokenKind.PlusEquals)
        {
            // a += b  is  a = ${?a} [b]
            var self = new HoconSubstitution(_includePrefix.Concat(fullPath ?? key).ToList(), true, [], separator.Origin);
            value = new HoconConcatenation([self, new HoconArray([value], value.Origin)], separator.Origin);
        }
        for (int i = key.Count - 1; i > 0; i--)
            value = new HoconObject(new OrderedDictionary<string, HoconValue> { [key[i]] = value }, keyOrigin);
        Set(fields, key[0], value);
    }

    private static void Set(OrderedDictionary<string, HoconValue> fields, string key, HoconValue value) =>
        fields[key] = fields.TryGetValue(key, out var old) ? HoconMerge.Merge(old, value) : value;

    /// <summary>A value concatenation: simple values, substitutions, objects and arrays on one line.</summary>
    private HoconValue Value(IReadOnlyList<string>? path)
    {
        var origin = Peek.Origin;
        var parts = new List<HoconValue>();
        while (Part(path, parts.Count > 0) is { } part) parts.Add(part);
        if (parts.Count == 0) throw ConfigurationException.At(origin, $"expected a value but found {Peek}");
        return parts.Any(p => p is HoconSubstitution)
            ? new HoconConcatenation(parts, origin)
            : HoconMerge.Concatenate(parts, origin)!;
    }

    /// <summary>The next part of a concatenation, or null at its end. Leading whitespace is skipped.</summary>
    private HoconValue? Part(IReadOnlyList<string>? path, bool afterValue)
    {
        if (!afterValue) SkipSpaces();
        var t = Peek;
        _pos++;
        switch (t.Kind)
        {
            case TokenKind.Whitespace: return new HoconScalar(HoconScalarKind.String, t.Text, t.Origin, isWhitespace: true);
            case TokenKind.QuotedString or TokenKind.Unquoted: return HoconScalar.String(t.Text, t.Origin);
            case TokenKind.Number: return new HoconScalar(HoconScalarKind.Number, t.Text, t.Origin);
            case TokenKind.True or TokenKind.False: return new HoconScalar(HoconScalarKind.Boolean, t.Text, t.Origin);
            case TokenKind.Null: return new HoconScalar(HoconScalarKind.Null, t.Text, t.Origin);
            case TokenKind.Substitution: return new HoconSubstitution(t.Path, t.Optional, _includePrefix, t.Origin);
            case TokenKind.OpenBrace: return Object(true, path, t.Origin);
            case TokenKind.OpenBracket: return Array(t.Origin);
            default: _pos--; return null;
        }
    }

    private HoconArray Array(HoconOrigin origin)
    {
        var items = new List<HoconValue>();
        while (true)
        {
            SkipBlank();
            var t = Peek;
            if (t.Kind == TokenKind.CloseBracket) { _pos++; break; }
            if (t.Kind == TokenKind.End) throw ConfigurationException.At(origin, "'[' is never closed; expected ']'");
            if (t.Kind == TokenKind.Comma) throw ConfigurationException.At(t.Origin, "unexpected ','; expected an array element");
            items.Add(Value(null));
            SkipSpaces();
            var after = Peek;
            if (after.Kind == TokenKind.Comma) _pos++;
            else if (after.Kind is not (TokenKind.Newline or TokenKind.CloseBracket))
                throw ConfigurationException.At(after.Origin, $"unexpected {after} in array; expected ',', a newline or ']'");
        }
        return new HoconArray(items, origin);
    }

    /// <summary><c>include "x"</c>, <c>include file("x")</c>, <c>include required(...)</c>, url/classpath forms.</summary>
    private void Include(OrderedDictionary<string, HoconValue> fields, IReadOnlyList<string>? path)
    {
        var at = Take().Origin;
        SkipBlank();
        var shape = new System.Text.StringBuilder();
        string? name = null;
        while (Peek.Kind is TokenKind.Unquoted or TokenKind.QuotedString or TokenKind.Whitespace)
        {
            var t = Take();
            if (t.Kind == TokenKind.QuotedString)
            {
                if (name is not null) break;
                name = t.Text;
                shape.Append('"');
            }
            else if (t.Kind == TokenKind.Unquoted) shape.Append(t.Text);
        }
        var match = IncludeShape().Match(shape.ToString());
        if (name is null || !match.Success)
            throw ConfigurationException.At(at,
                "include must be followed by a quoted file name: include \"a.conf\", include file(\"a.conf\") or include required(\"a.conf\")");
        var kind = match.Groups["kind"].Value;
        var request = new IncludeRequest(name, kind.Length == 0 ? "heuristic" : kind, match.Groups["req"].Success, at);
        var included = _includer.Include(request, _includePrefix.Concat(path ?? []).ToList());
        foreach (var (key, value) in included.Fields) Set(fields, key, value);
    }

    [GeneratedRegex(@"^(?<req>required\()?((?<kind>file|url|classpath)\()?""(?(kind)\))(?(req)\))$")]
    private static partial Regex IncludeShape();
}
