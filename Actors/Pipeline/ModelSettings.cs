using AkkaRlhf.Configuration;
using AkkaRlhf.Models;

namespace AkkaRlhf.Actors.Pipeline;

/// <summary>The shape of the GPT every stage trains (<c>akka-rlhf.model</c>).</summary>
public sealed record ModelSettings(int NLayer = 2, int NHead = 2, int NEmbd = 64, int BlockSize = 32, double Dropout = 0)
{
    public static ModelSettings Default { get; } = new();

    public static ModelSettings FromConfig(Config c) => new(
        c.GetInt("n-layer", Default.NLayer), c.GetInt("n-head", Default.NHead), c.GetInt("n-embd", Default.NEmbd),
        c.GetInt("block-size", Default.BlockSize), c.GetDouble("dropout", Default.Dropout));

    public GptConfig ToGptConfig(int vocabSize) =>
        new GptConfig { VocabSize = vocabSize, BlockSize = BlockSize, NLayer = NLayer, NHead = NHead, NEmbd = NEmbd, Dropout = Dropout }.Validate();

    public ModelSettings WithNEmbd(int n) => this with { NEmbd = n };
    public ModelSettings WithNLayer(int n) => this with { NLayer = n };
}
