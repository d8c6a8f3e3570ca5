using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace AkkaRlhf.Models;

/// <summary>
/// GPT-2's byte-level BPE (OpenAI's encoder.py) from <c>encoder.json</c> (token string -> id) and
/// <c>vocab.bpe</c> (merges, best first). Text is split by the GPT-2 pre-tokenization regex, each
/// piece's UTF-8 bytes are mapped to printable characters (bytes_to_unicode), then merged pairwise by
/// rank. EOS and pad are <c>&lt;|endoftext|&gt;</c> (50256).
/// </summary>
public sealed partial class Gpt2BpeTokenizer : ITokenizer
{
    private const string EndOfText = "<|endoftext|>";

    [GeneratedRegex(@"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+")]
    private static partial Regex Pretokenize();

    private readonly Dictionary<string, int> encoder;
    private readonly string[] decoder;
    private readonly Dictionary<(string, string), int> ranks = [];
    private readonly ConcurrentDictionary<string, int[]> cache = new();
    private static readonly char[] ByteToChar = BytesToUnicode();
    private static readonly Dictionary<char, byte> CharToByte =
        ByteToChar.Select((c, b) => (c, b)).ToDictionary(x => x.c, x => (byte)x.b);

    /// <summary>The raw encoder.json and vocab.bpe (kept so checkpoints can carry the tokenizer).</summary>
    public string EncoderJson { get; }

    /// <inheritdoc cref="EncoderJson"/>
    public string VocabBpe { get; }

    /// <summary>Builds the tokenizer from the contents of encoder.json and vocab.bpe.</summary>
    public Gpt2BpeTokenizer(string encoderJson, string vocabBpe)
    {
        EncoderJson = encoderJson;
        VocabBpe = vocabBpe;
        encoder = JsonSerializer.Deserialize<Dictionary<string, int>>(encoderJson)
                  ?? throw new FormatException("encoder.json is empty");
        decoder = new string[encoder.Values.Max() + 1];
        foreach (var (s, id) in encoder) decoder[id] = s;
        var lines = vocabBpe.Split('\n');
        var rank = 0;
        foreach (var line in lines)
        {
            if (line.StartsWith("#version", StringComparison.Ordinal) || line.Trim().Length == 0) continue;
            var parts = line.TrimEnd('\r').Split(' ');
            if (parts.Length != 2) throw new FormatException($"vocab.bpe: bad merge line \"{line}\"");
            ranks[(parts[0], parts[1])] = rank++;
        }
        EosId = encoder.TryGetValue(EndOfText, out var eos) ? eos : throw new FormatException($"encoder.json has no {EndOfText}");
    }

    /// <summary>Reads <c>encoder.json</c> and <c>vocab.bpe</c> from <paramref name="dir"/>.</summary>
    public static Gpt2BpeTokenizer FromFolder(string dir) =>
        new(File.ReadAllText(Path.Combine(dir, "encoder.json")), File.ReadAllText(Path.Combine(dir, "vocab.bpe")));

    /// <summary>True when <paramref name="dir"/> holds both files.</summary>
    public static bool IsIn(string dir) =>
        File.Exists(Path.Combine(dir, "encoder.json")) && File.Exists(Path.Combine(dir, "vocab.bpe"));

    /// <inheritdoc/>
    public int VocabSize => decoder.Length;

    /// <inheritdoc/>
    public int EosId { get; }

    /// <inheritdoc/>
    public int PadId => EosId;

    /// <inheritdoc/>
    public int[] Encode(string text)
    {
        var ids = new List<int>();
        foreach (Match m in Pretokenize().Matches(text))
            ids.AddRange(cache.GetOrAdd(m.Value, Bpe));
        return ids.ToArray();
    }

    /// <inheritdoc/>
    public string Decode(IEnumerable<int> ids, bool skipSpecialTokens = false)
    {
        var bytes = new List<byte>();
        foreach (var id in ids)
        {
            if ((uint)id >= decoder.Length || decoder[id] is null)
                throw new ArgumentOutOfRangeException(nameof(ids), id, $"GPT-2 ids are 0..{VocabSize - 1}");
            if (id == EosId)
            {
                if (!skipSpecialTokens) bytes.AddRange(Encoding.UTF8.GetBytes(EndOfText));
                continue;
            }
            foreach (var c in decoder[id]) bytes.Add(CharToByte[c]);
        }
        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    // One pre-tokenized piece -> ids: merge the adjacent pair of lowest rank until none is mergeable.
    private int[] Bpe(string piece)
    {
        var word = Encoding.UTF8.GetBytes(piece).Select(b => ByteToChar[b].ToString()).ToList();
        while (word.Count > 1)
        {
            var (best, at) = (int.MaxValue, -1);
            for (var i = 0; i < word.Count - 1; i++)
                if (ranks.TryGetValue((word[i], word[i + 1]), out var r) && r < best) (best, at) = (r, i);
            if (at < 0) break;
            var (a, b) = (word[at], word[at + 1]);
            var merged = new List<string>(word.Count);
            for (var i = 0; i < word.Count; i++)
            {
                if (i < word.Count - 1 && word[i] == a && word[i + 1] == b) { merged.Add(a + b); i++; }
                else merged.Add(word[i]);
            }
            word = merged;
        }
        return word.Select(t => encoder.TryGetValue(t, out var id) ? id
            : throw new FormatException($"encoder.json has no token \"{t}\" produced by vocab.bpe")).ToArray();
    }

    // GPT-2's reversible map from the 256 bytes to printable unicode characters.
    private static char[] BytesToUnicode()
    {
        var map = new char[256];
        var printable = new HashSet<int>();
        for (var b = '!'; b <= '~'; b++) printable.Add(b);
        for (var b = '¡'; b <= '¬'; b++) printable.Add(b);
        for (var b = '®'; b <= 'ÿ'; b++) printable.Add(b);
        var n = 0;
        for (var b = 0; b < 256; b++) map[b] = printable.Contains(b) ? (char)b : (char)(256 + n++);
        return map;
    }
}
