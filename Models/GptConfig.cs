using System.Text.Json;
using System.Text.Json.Serialization;

namespace AkkaRlhf.Models;

/// <summary>
/// Hyper-parameters of a GPT-2 style decoder (nanoGPT's GPTConfig). Immutable: derive variants with
/// <c>config with { NLayer = 2 }</c>. Serialised as JSON with snake_case names
/// (<c>vocab_size</c>, <c>block_size</c>, <c>n_layer</c>, ...), see <see cref="ToJson"/>.
/// </summary>
public sealed record GptConfig
{
    /// <summary>Number of token ids (rows of <c>wte</c>).</summary>
    [JsonPropertyName("vocab_size")] public int VocabSize { get; init; } = 258;

    /// <summary>Maximum sequence length (rows of <c>wpe</c>); HF calls it n_positions / n_ctx.</summary>
    [JsonPropertyName("block_size")] public int BlockSize { get; init; } = 256;

    /// <summary>Number of transformer blocks.</summary>
    [JsonPropertyName("n_layer")] public int NLayer { get; init; } = 4;

    /// <summary>Number of attention heads; must divide <see cref="NEmbd"/>.</summary>
    [JsonPropertyName("n_head")] public int NHead { get; init; } = 4;

    /// <summary>Width of the residual stream.</summary>
    [JsonPropertyName("n_embd")] public int NEmbd { get; init; } = 128;

    /// <summary>Dropout probability (embeddings, attention probabilities, residual branches).</summary>
    [JsonPropertyName("dropout")] public double Dropout { get; init; }

    /// <summary>Biases in Linear and LayerNorm layers (GPT-2 has them).</summary>
    [JsonPropertyName("bias")] public bool Bias { get; init; } = true;

    /// <summary>The LM head reuses <c>wte.weight</c> (GPT-2 does).</summary>
    [JsonPropertyName("tie_word_embeddings")] public bool TiedEmbeddings { get; init; } = true;

    /// <summary>LayerNorm epsilon.</summary>
    [JsonPropertyName("layer_norm_epsilon")] public double LayerNormEpsilon { get; init; } = 1e-5;

    /// <summary>Size of one attention head.</summary>
    [JsonIgnore] public int HeadSize => NEmbd / NHead;

    /// <summary>GPT-2 small (124M) shape.</summary>
    public static GptConfig Gpt2Small => new() { VocabSize = 50257, BlockSize = 1024, NLayer = 12, NHead = 12, NEmbd = 768 };

    /// <summary>Throws a clear error when the numbers cannot describe a model.</summary>
    public GptConfig Validate()
    {
        if (VocabSize < 1 || BlockSize < 1 || NLayer < 1 || NHead < 1 || NEmbd < 1)
            throw new ArgumentException($"GptConfig sizes must be positive: {this}");
        if (NEmbd % NHead != 0)
            throw new ArgumentException($"GptConfig: n_embd ({NEmbd}) must be a multiple of n_head ({NHead})");
        if (Dropout is < 0 or >= 1)
            throw new ArgumentException($"GptConfig: dropout must be in [0, 1), got {Dropout}");
        return this;
    }

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    /// <summary>The JSON form (snake_case keys).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Reads the JSON form written by <see cref="ToJson"/>; absent keys keep their defaults.</summary>
    public static GptConfig FromJson(string json) =>
        (JsonSerializer.Deserialize<GptConfig>(json, Json) ?? throw new FormatException("GptConfig JSON is null")).Validate();
}
