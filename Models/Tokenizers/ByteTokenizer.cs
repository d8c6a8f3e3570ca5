using System.Text;

namespace AkkaRlhf.Models;

/// <summary>
/// The default tokenizer, needing no files: ids 0..255 are the UTF-8 bytes of the text,
/// 256 is <c>&lt;|endoftext|&gt;</c> (EOS) and 257 is <c>&lt;|pad|&gt;</c>. Any string round-trips.
/// </summary>
public sealed class ByteTokenizer : ITokenizer
{
    public const int EndOfText = 256;
    public const int Pad = 257;

    /// <inheritdoc/>
    public int VocabSize => 258;

    /// <inheritdoc/>
    public int EosId => EndOfText;

    /// <inheritdoc/>
    public int PadId => Pad;

    /// <inheritdoc/>
    public int[] Encode(string text) => Encoding.UTF8.GetBytes(text).Select(b => (int)b).ToArray();

    /// <inheritdoc/>
    public string Decode(IEnumerable<int> ids, bool skipSpecialTokens = false)
    {
        var sb = new StringBuilder();
        var bytes = new List<byte>();
        void Flush()
        {
            sb.Append(Encoding.UTF8.GetString(bytes.ToArray()));
            bytes.Clear();
        }
        foreach (var id in ids)
        {
            if (id is >= 0 and < 256) { bytes.Add((byte)id); continue; }
            Flush();
            if (skipSpecialTokens) continue;
            sb.Append(id switch
            {
                EndOfText => "<|endoftext|>",
                Pad => "<|pad|>",
                _ => throw new ArgumentOutOfRangeException(nameof(ids), id, $"byte tokenizer ids are 0..{VocabSize - 1}"),
            });
        }
        Flush();
        return sb.ToString();
    }
}
