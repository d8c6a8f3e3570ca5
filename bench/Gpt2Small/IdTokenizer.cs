using AkkaRlhf.Models;

namespace AkkaRlhf.Bench.Gpt2Small;

/// <summary>
/// GPT-2's id space without its vocabulary: a prompt is written as its token ids ("464 3290 ..."), so the bench feeds the
/// product's prompt source exactly the random prompts the Python side draws. EOS and pad are GPT-2's 50256.
/// </summary>
internal sealed class IdTokenizer : ITokenizer
{
    public int VocabSize => 50257;
    public int EosId => 50256;
    public int PadId => 50256;
    public int[] Encode(string text) => text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToArray();
    public string Decode(IEnumerable<int> ids, bool skipSpecialTokens = false) => string.Join(' ', ids.Where(i => !skipSpecialTokens || i != EosId));
}
