using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace AkkaRlhf.Configuration;

internal enum TokenKind
{
    Whitespace, Newline, Comma, Colon, Equals, PlusEquals,
    OpenBrace, CloseBrace, OpenBracket, CloseBracket,
    QuotedString, Unquoted, Number, True, False, Null, Substitution, End,
}

/// <summary>A token. For strings <see cref="Text"/> is the decoded value; numbers keep their written form.</summary>
internal sealed record Token(TokenKind Kind, string Text, HoconOrigin Origin)
{
    public IReadOnlyList<string> Path { get; init; } = [];
    public bool Optional { get; init; }

    /// <summary>Tokens that are simple values (they may form keys and string concatenations).</summary>
    public bool IsSimple => Kind is TokenKind.QuotedString or TokenKind.Unquoted or TokenKind.Number
        or TokenKind.True or TokenKind.False or TokenKind.Null;

    public override string ToString() => Kind switch
    {
        TokenKind.End => "end of input",
        TokenKind.Newline => "newline",
        TokenKind.QuotedString => $"\"{Text}\"",
        _ => $"'{Text}'",
    };
}

/// <summary>Splits HOCON text into tokens; comments are dropped, newlines are kept (they separate fields).</summary>
internal sealed partial class HoconTokenizer
{
    private const string Reserved = "$\"{}[]:=,+#`^?!@*&\\";
    private readonly string _text;
    private readonly string _source;
    private int _pos, _line = 1, _col = 1;

    private HoconTokenizer(string text, string source) => (_text, _source) = (text, source);

    public static List<Token> Tokenize(string text, string source)
    {
        var tokenizer = new HoconTokenizer(text, source);
        var tokens = new List<Token>();
        Token t;
        do tokens.Add(t = tokenizer.Next()); while (t.Kind != TokenKind.End);
        return tokens;
    }

    /// <summary>HOCON whitespace: Unicode separators, ASCII controls \t..\r, 0x1C-0x1F and the BOM.</summary>
    public static bool IsWhitespace(char c) => char.IsWhiteSpace(c) || c == '\uFEFF' || c is >= '\u001C' and <= '\u001F';

    private HoconOrigin Here => new(_source, _line, _col);
    private char Peek(int ahead = 0) => _pos + ahead < _text.Length ? _text[_pos + ahead] : '\0';
    private bool At(string s) => string.CompareOrdinal(_text, _pos, s, 0, s.Length) == 0;

    private char Advance()
    {
        char c = _text[_pos++];
        if (c == '\n') { _line++; _col = 1; } else _col++;
        return c;
    }

    private string Take(int count)
    {
        var s = _text.Substring(_pos, count);
        for (int i = 0; i < count; i++) Advance();
        return s;
    }

    private Token Next()
    {
        var origin = Here;
        if (_pos >= _text.Length) return new(TokenKind.End, "", origin);
        char c = Peek();
        if (c == '\n') return new(TokenKind.Newline, Take(1), origin);
        if (IsWhitespace(c))
        {
            int n = 0;
            while (Peek(n) != '\n' && _pos + n < _text.Length && IsWhitespace(Peek(n))) n++;
            return new(TokenKind.Whitespace, Take(n), origin);
        }
        if (c == '#' || At("//"))
        {
            while (_pos < _text.Length && Peek() != '\n') Advance();
            return Next();
        }
        switch (c)
        {
            case ',': return new(TokenKind.Comma, Take(1), origin);
            case ':': return new(TokenKind.Colon, Take(1), origin);
            case '=': return new(TokenKind.Equals, Take(1), origin);
            case '{': return new(TokenKind.OpenBrace, Take(1), origin);
            case '}': return new(TokenKind.CloseBrace, Take(1), origin);
            case '[': return new(TokenKind.OpenBracket, Take(1), origin);
            case ']': return new(TokenKind.CloseBracket, Take(1), origin);
            case '+' when Peek(1) == '=': return new(TokenKind.PlusEquals, Take(2), origin);
            case '"' when At("\"\"\""): return ReadTripleQuoted(origin);
            case '"': return ReadQuoted(origin);
            case '$' when Peek(1) == '{': return ReadSubstitution(origin);
        }
        if (char.IsAsciiDigit(c) || (c == '-' && char.IsAsciiDigit(Peek(1))))
            return new(TokenKind.Number, Take(NumberPattern().Match(_text, _pos).Length), origin);
        if (Reserved.Contains(c))
            throw ConfigurationException.At(origin,
                $"reserved character '{c}' is not allowed outside quotes; put the value in double quotes");
        if (At("true")) return new(TokenKind.True, Take(4), origin);
        if (At("false")) return new(TokenKind.False, Take(5), origin);
        if (At("null")) return new(TokenKind.Null, Take(4), origin);

        int len = 0;
        while (_pos + len < _text.Length)
        {
            char u = Peek(len);
            if (Reserved.Contains(u) || IsWhitespace(u) || (u == '/' && Peek(len + 1) == '/')) break;
            len++;
        }
        return new(TokenKind.Unquoted, Take(len), origin);
    }

    [GeneratedRegex(@"\G-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?")]
    private static partial Regex NumberPattern();

    private Token ReadQuoted(HoconOrigin origin)
    {
        Advance();
        var sb = new StringBuilder();
        while (true)
        {
            if (_pos >= _text.Length || Peek() == '\n')
                throw ConfigurationException.At(origin, "unterminated quoted string (use \"\"\" for multi-line strings)");
            char c = Advance();
            if (c == '"') return new(TokenKind.QuotedString, sb.ToString(), origin);
            if (c < ' ') throw ConfigurationException.At(Here, $"control character U+{(int)c:X4} in quoted string; escape it");
            if (c != '\\') { sb.Append(c); continue; }
            var escapeAt = Here;
            char e = _pos < _text.Length ? Advance() : '\0';
            switch (e)
            {
                case '"': case '\\': case '/': sb.Append(e); break;
                case 'b': sb.Append('\b'); break;
                case 'f': sb.Append('\f'); break;
                case 'n': sb.Append('\n'); break;
                case 'r': sb.Append('\r'); break;
                case 't': sb.Append('\t'); break;
                case 'u' when _pos + 4 <= _text.Length
                    && ushort.TryParse(_text.AsSpan(_pos, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code):
                    Take(4);
                    sb.Append((char)code);
                    break;
                default:
                    throw ConfigurationException.At(escapeAt, $"invalid escape '\\{e}' in quoted string");
            }
        }
    }

    private Token ReadTripleQuoted(HoconOrigin origin)
    {
        Take(3);
        int end = _text.IndexOf("\"\"\"", _pos, StringComparison.Ordinal);
        if (end < 0) throw ConfigurationException.At(origin, "unterminated triple-quoted string");
        while (end + 3 < _text.Length && _text[end + 3] == '"') end++; // extra quotes belong to the string
        var value = Take(end - _pos);
        Take(3);
        return new(TokenKind.QuotedString, value, origin);
    }

    private Token ReadSubstitution(HoconOrigin origin)
    {
        Take(2);
        bool optional = Peek() == '?';
        if (optional) Advance();
        var inner = new List<Token>();
        while (true)
        {
            var t = Next();
            if (t.Kind == TokenKind.CloseBrace) break;
            if (!t.IsSimple && t.Kind != TokenKind.Whitespace)
                throw ConfigurationException.At(t.Origin, $"unexpected {t} in substitution; expected a path and '}}'");
            inner.Add(t);
        }
        var path = HoconPath.FromTokens(inner, origin);
        var text = "${" + (optional ? "?" : "") + HoconPath.Render(path) + "}";
        return new(TokenKind.Substitution, text, origin) { Path = path, Optional = optional };
    }
}
