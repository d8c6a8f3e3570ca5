using System.Text;

namespace AkkaRlhf.Configuration;

/// <summary>Path expressions: <c>a.b."c.d"</c> is the three keys a, b and c.d.</summary>
public static class HoconPath
{
    /// <summary>Splits a path expression into keys. Quoted parts may contain dots; empty keys must be quoted.</summary>
    /// <exception cref="ConfigurationException">The path is empty or malformed.</exception>
    public static IReadOnlyList<string> Parse(string path)
    {
        var origin = new HoconOrigin($"path '{path}'", 0, 0);
        var tokens = HoconTokenizer.Tokenize(path, origin.Source);
        var bad = tokens.FirstOrDefault(t => t.Kind != TokenKind.End && t.Kind != TokenKind.Whitespace && !t.IsSimple);
        if (bad is not null) throw ConfigurationException.At(origin, $"unexpected {bad} in path; quote keys containing it");
        return FromTokens(tokens.Where(t => t.Kind != TokenKind.End).ToList(), origin);
    }

    /// <summary>Renders keys as a path expression, quoting keys that need it.</summary>
    public static string Render(IEnumerable<string> keys) => string.Join('.', keys.Select(RenderKey));

    /// <summary>A key as written in HOCON: bare when possible, otherwise as a JSON string.</summary>
    public static string RenderKey(string key)
    {
        bool bare = key.Length > 0 && key != "include" && !key.Contains("//")
            && key.All(c => c != '.' && !HoconTokenizer.IsWhitespace(c) && !"$\"{}[]:=,+#`^?!@*&\\".Contains(c));
        return bare ? key : HoconRenderer.Quote(key);
    }

    /// <summary>Builds a path from the simple-value tokens of a key or substitution.</summary>
    internal static List<string> FromTokens(IReadOnlyList<Token> tokens, HoconOrigin origin)
    {
        int start = 0, end = tokens.Count;
        while (start < end && tokens[start].Kind == TokenKind.Whitespace) start++;
        while (end > start && tokens[end - 1].Kind == TokenKind.Whitespace) end--;
        if (start == end) throw ConfigurationException.At(origin, "empty path; expected a key such as a.b.c");

        var keys = new List<string>();
        var current = new StringBuilder();
        bool hasKey = false;
        string written = string.Concat(tokens.Skip(start).Take(end - start).Select(t => t.Kind == TokenKind.QuotedString ? $"\"{t.Text}\"" : t.Text));
        for (int i = start; i < end; i++)
        {
            var t = tokens[i];
            if (t.Kind is TokenKind.QuotedString or TokenKind.Whitespace)
            {
                current.Append(t.Text);
                hasKey = true;
                continue;
            }
            foreach (char c in t.Text)
            {
                if (c != '.') { current.Append(c); hasKey = true; continue; }
                if (!hasKey) throw EmptyKey(origin, written);
                keys.Add(current.ToString());
                current.Clear();
                hasKey = false;
            }
        }
        if (!hasKey) throw EmptyKey(origin, written);
        keys.Add(current.ToString());
        return keys;
    }

    private static ConfigurationException EmptyKey(HoconOrigin origin, string path) => ConfigurationException.At(origin,
        $"invalid path '{path}': empty key between dots (write \"\" to mean an empty key)");
}
