using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace AkkaRlhf.Models;

/// <summary>
/// GPT-2's byte-level BPE from <c>encoder.json</c> (token string -> id) and <c>vocab.bpe</c> (merges, best
/// first); Hugging Face calls the same files <c>vocab.json</c> and <c>merges.txt</c>. Encoding and decoding
/// run on Microsoft.ML.Tokenizers' <see cref="BpeTokenizer"/> (byte level). This class adds what the library
/// leaves to the caller: GPT-2's pre-tokenization regex, EOS and pad = <c>&lt;|endoftext|&gt;</c> (50256),
/// and clear errors for bad files and unknown ids (the library would skip them silently).
/// </summary>
public sealed partial class Gpt2BpeTokenizer : ITokenizer
{
    private const string EndOfText = "<|endoftext|>";

    /// <summary>The file names of a tokenizer folder: ours (OpenAI's) first, then Hugging Face's.</summary>
    private static readonly (string Vocab, string Merges)[] FileNames =
        [("encoder.json", "vocab.bpe"), ("vocab.json", "merges.txt")];

    // GPT-2's pre-tokenization (OpenAI's encoder.py); the library has no GPT-2 pre-tokenizer of its own.
    [GeneratedRegex(@"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+")]
    private static partial Regex Pretokenize();

    // GPT-2's reversible map from the 256 bytes to printable characters (bytes_to_unicode); the library has
    // its own copy, this one checks that encoder.json has a token for every byte (and the specs rebuild
    // encoder.json from the packaged gpt2.tiktoken with it).
    internal static readonly char[] ByteToChar = BytesToUnicode();

    private readonly BpeTokenizer bpe;
    private readonly bool[] isId;

    /// <summary>The raw encoder.json and vocab.bpe (kept so checkpoints can carry the tokenizer).</summary>
    public string EncoderJson { get; }

    /// <inheritdoc cref="EncoderJson"/>
    public string VocabBpe { get; }

    /// <summary>Builds the tokenizer from the contents of encoder.json and vocab.bpe.</summary>
    /// <exception cref="FormatException">A bad merge line, no <c>&lt;|endoftext|&gt;</c>, a byte without a
    /// token, or a merge whose parts or result are not in encoder.json.</exception>
    public Gpt2BpeTokenizer(string encoderJson, string vocabBpe)
    {
        EncoderJson = encoderJson;
        VocabBpe = vocabBpe;
        var vocab = JsonSerializer.Deserialize<Dictionary<string, int>>(encoderJson)
                    ?? throw new FormatException("encoder.json is empty");
        EosId = vocab.TryGetValue(EndOfText, out var eos) ? eos : throw new FormatException($"encoder.json has no {EndOfText}");
        // Without a token for every byte the library would drop those bytes from the text without a word.
        for (var b = 0; b < 256; b++)
            if (!vocab.ContainsKey(ByteToChar[b].ToString()))
                throw new FormatException($"encoder.json has no token for the byte 0x{b:x2} (\"{ByteToChar[b]}\")");

        var merges = new List<string>();
        foreach (var line in vocabBpe.Split('\n'))
        {
            if (line.StartsWith("#version", StringComparison.Ordinal) || line.Trim().Length == 0) continue;
            var merge = line.TrimEnd('\r');
            if (merge.Split(' ').Length != 2) throw new FormatException($"vocab.bpe: bad merge line \"{line}\"");
            merges.Add(merge);
        }

        try
        {
            bpe = BpeTokenizer.Create(new BpeOptions(vocab)
            {
                Merges = merges,
                ByteLevel = true,
                PreTokenizer = new RegexPreTokenizer(Pretokenize(), specialTokens: null),
            });
        }
        catch (InvalidOperationException e)  // "Trying to merge a token 'x' which not exist in the vocabulary."
        {
            throw new FormatException($"vocab.bpe does not fit encoder.json: {e.Message}", e);
        }

        VocabSize = vocab.Values.Max() + 1;
        isId = new bool[VocabSize];
        foreach (var id in vocab.Values) isId[id] = true;
    }

    /// <summary>
    /// Reads <c>encoder.json</c> + <c>vocab.bpe</c> from <paramref name="dir"/>, or else Hugging Face's
    /// <c>vocab.json</c> + <c>merges.txt</c>.
    /// </summary>
    public static Gpt2BpeTokenizer FromFolder(string dir)
    {
        foreach (var (vocab, merges) in FileNames)
            if (Has(dir, vocab, merges))
                return new(File.ReadAllText(Path.Combine(dir, vocab)), File.ReadAllText(Path.Combine(dir, merges)));
        throw new FileNotFoundException($"{dir} has neither encoder.json + vocab.bpe nor vocab.json + merges.txt");
    }

    /// <summary>True when <paramref name="dir"/> holds either pair of files.</summary>
    public static bool IsIn(string dir) => FileNames.Any(f => Has(dir, f.Vocab, f.Merges));

    private static bool Has(string dir, string vocab, string merges) =>
        File.Exists(Path.Combine(dir, vocab)) && File.Exists(Path.Combine(dir, merges));

    /// <inheritdoc/>
    public int VocabSize { get; }

    /// <inheritdoc/>
    public int EosId { get; }

    /// <inheritdoc/>
    public int PadId => EosId;

    /// <inheritdoc/>
    public int[] Encode(string text) => [.. bpe.EncodeToIds(text)];

    /// <inheritdoc/>
    public string Decode(IEnumerable<int> ids, bool skipSpecialTokens = false)
    {
        var kept = new List<int>();
        foreach (var id in ids)
        {
            if ((uint)id >= (uint)isId.Length || !isId[id])
                throw new ArgumentOutOfRangeException(nameof(ids), id, $"GPT-2 ids are 0..{VocabSize - 1}");
            if (!(skipSpecialTokens && id == EosId)) kept.Add(id);
        }
        return bpe.Decode(kept);
    }

    private static char[] BytesToUnicode()
    {
        var map = new char[256];
        var n = 0;
        for (var b = 0; b < 256; b++)
            map[b] = b is >= '!' and <= '~' or >= '¡' and <= '¬' or >= '®' and <= 'ÿ' ? (char)b : (char)(256 + n++);
        return map;
    }
}
