using System.Text;

namespace AkkaRlhf.Models.Synthetic;

/// <summary>
/// A closed-vocabulary word tokenizer: one id per word. Ids 0, 1, 2 are the special tokens
/// <c>&lt;pad&gt;</c>, <c>&lt;eos&gt;</c> and <c>&lt;sep&gt;</c> (the separator between prompt and
/// response), then the words in order. Text is split on whitespace with "." split off its word, and
/// decoded to canonical text (single spaces, "." attached): <c>Decode(Encode(s)) == s</c> for
/// canonical text and <c>Encode(Decode(ids)) == ids</c> for word ids.
/// </summary>
/// <remarks>
/// Unlike the byte tokenizer it cannot spell a special token's string as plain text, so
/// <c>&lt;sep&gt;</c> in text is encoded as the separator (that is how <see cref="ChatTemplate"/>
/// marks the prompt's end, see <see cref="SyntheticTask.ChatTemplate"/>), while <c>&lt;pad&gt;</c>,
/// <c>&lt;eos&gt;</c> and any word outside the vocabulary throw an <see cref="ArgumentException"/>.
/// </remarks>
public sealed class WordTokenizer : ITokenizer
{
    public const int Pad = 0;
    public const int Eos = 1;
    public const int Sep = 2;
    public const string PadToken = "<pad>";
    public const string EosToken = "<eos>";
    public const string SepToken = "<sep>";

    private readonly string[] _words;
    private readonly Dictionary<string, int> _ids;

    /// <summary>The tokenizer of the synthetic task (the <see cref="Lexicon"/> words).</summary>
    public static WordTokenizer Synthetic { get; } = new(Lexicon.Words);

    /// <summary>A tokenizer for <paramref name="words"/> (distinct, no whitespace, not special-token strings).</summary>
    public WordTokenizer(IEnumerable<string> words)
    {
        _words = [PadToken, EosToken, SepToken, .. words];
        _ids = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < _words.Length; i++)
        {
            var w = _words[i];
            if (w.Length == 0 || w.Any(char.IsWhiteSpace)) throw new ArgumentException($"vocabulary word {i} (\"{w}\") is empty or has whitespace", nameof(words));
            if (i >= 3 && w != Lexicon.Period && w.EndsWith('.')) throw new ArgumentException($"vocabulary word \"{w}\" ends with \".\"", nameof(words));
            if (!_ids.TryAdd(w, i)) throw new ArgumentException($"vocabulary word \"{w}\" appears twice", nameof(words));
        }
    }

    /// <summary>Reads a vocabulary file written by <see cref="Save"/> (one word per line, specials omitted).</summary>
    public static WordTokenizer Load(string path) =>
        new(File.ReadAllLines(path).Select(l => l.Trim()).Where(l => l.Length > 0));

    /// <summary>Writes the words (without the special tokens), one per line.</summary>
    public void Save(string path) => File.WriteAllLines(path, _words.Skip(3));

    /// <inheritdoc/>
    public int VocabSize => _words.Length;

    /// <inheritdoc/>
    public int EosId => Eos;

    /// <inheritdoc/>
    public int PadId => Pad;

    /// <summary>Id of the prompt/response separator.</summary>
    public int SepId => Sep;

    /// <summary>All tokens by id, special tokens first.</summary>
    public IReadOnlyList<string> Tokens => _words;

    /// <summary>The id of one word or special token, or null.</summary>
    public int? IdOf(string token) => _ids.TryGetValue(token, out var id) ? id : null;

    /// <inheritdoc/>
    public int[] Encode(string text)
    {
        var words = Lexicon.Split(text);
        var ids = new int[words.Length];
        for (var i = 0; i < words.Length; i++)
        {
            var w = words[i];
            if (w is PadToken or EosToken)
                throw new ArgumentException($"\"{w}\" (word {i + 1} of \"{text}\") is a special token and cannot be written in text; append the id instead", nameof(text));
            if (!_ids.TryGetValue(w, out var id))
                throw new ArgumentException($"unknown word \"{w}\" (word {i + 1} of \"{text}\"): not in the {VocabSize - 3}-word vocabulary", nameof(text));
            ids[i] = id;
        }
        return ids;
    }

    /// <inheritdoc/>
    public string Decode(IEnumerable<int> ids, bool skipSpecialTokens = false)
    {
        var words = new List<string>();
        foreach (var id in ids)
        {
            if (id < 0 || id >= _words.Length)
                throw new ArgumentOutOfRangeException(nameof(ids), id, $"word tokenizer ids are 0..{_words.Length - 1}");
            if (id < 3 && skipSpecialTokens) continue;
            words.Add(_words[id]);
        }
        return Lexicon.Join(words);
    }

    /// <summary>Decodes int64 ids (as returned by generation).</summary>
    public string Decode(IEnumerable<long> ids, bool skipSpecialTokens = false) => Decode(ids.Select(i => checked((int)i)), skipSpecialTokens);
}
