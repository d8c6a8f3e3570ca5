namespace AkkaRlhf.Models;

/// <summary>Text to token ids and back.</summary>
public interface ITokenizer
{
    /// <summary>Number of ids (the model's vocab_size must be at least this).</summary>
    int VocabSize { get; }

    /// <summary>End-of-sequence id.</summary>
    int EosId { get; }

    /// <summary>Padding id (may equal <see cref="EosId"/>, as in GPT-2).</summary>
    int PadId { get; }

    /// <summary>Ids of <paramref name="text"/>; special-token strings in the text are encoded as plain text.</summary>
    int[] Encode(string text);

    /// <summary>Text of <paramref name="ids"/>; special tokens are written as their strings unless skipped.</summary>
    string Decode(IEnumerable<int> ids, bool skipSpecialTokens = false);
}
