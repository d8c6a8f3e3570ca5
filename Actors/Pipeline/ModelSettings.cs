using AkkaRlhf.Configuration;
using AkkaRlhf.Models;

namespace AkkaRlhf.Actors.Pipeline;

/// <summary>The shape of the GPT every stage trains (<c>akka-rlhf.model</c>).</summary>
public sealed record ModelSettings(int NLayer, int NHead, int NEmbd, int BlockSize, double Dropout)
{
    public static ModelSettings FromConfig(Config c) => new(
        c.GetInt("n-layer"), c.GetInt("n-head"), c.GetInt("n-embd"), c.GetInt("block-size"), c.GetDouble("dropout"));

    public GptConfig ToGptConfig(int vocabSize) =>
        new GptConfig { VocabSize = vocabSize, BlockSize = BlockSize, NLayer = NLayer, NHead = NHead, NEmbd = NEmbd, Dropout = Dropout }.Validate();

    public ModelSettings WithNEmbd(int n) => this with { NEmbd = n };
    public ModelSettings WithNLayer(int n) => this with { NLayer = n };
}
