namespace AkkaRlhf.Models;

/// <summary>
/// How <see cref="Sampler"/> picks tokens (HF generate's names). Greedy when <see cref="DoSample"/>
/// is false or <see cref="Temperature"/> is 0; otherwise the logits are divided by the temperature,
/// filtered by top-k then top-p, and sampled.
/// </summary>
public sealed record GenerationConfig
{
    /// <summary>At most this many tokens are generated per row.</summary>
    public int MaxNewTokens { get; init; } = 32;

    /// <summary>False: greedy (argmax).</summary>
    public bool DoSample { get; init; } = true;

    /// <summary>Logits are divided by it before filtering and sampling (sampling only).</summary>
    public double Temperature { get; init; } = 1.0;

    /// <summary>Keep only the k most likely tokens; 0 disables.</summary>
    public int TopK { get; init; }

    /// <summary>Keep the smallest set of most likely tokens whose probability reaches p (nucleus); 1 disables.</summary>
    public double TopP { get; init; } = 1.0;

    /// <summary>A row stops after emitting this token (it is part of the response); null: never.</summary>
    public int? EosTokenId { get; init; }

    /// <summary>Written after a row has finished (and used to left-pad prompts).</summary>
    public int PadTokenId { get; init; }

    /// <summary>Seed of this request's own generator; null draws from libtorch's default generator.</summary>
    public ulong? Seed { get; init; }

    /// <summary>Decode with a KV cache (true) or recompute the whole sequence at every step.</summary>
    public bool UseCache { get; init; } = true;

    /// <summary>True when tokens are chosen by argmax.</summary>
    public bool IsGreedy => !DoSample || Temperature == 0;

    /// <summary>Throws a clear error for values outside their range.</summary>
    public GenerationConfig Validate()
    {
        if (MaxNewTokens < 1) throw new ArgumentException($"MaxNewTokens must be at least 1, got {MaxNewTokens}");
        if (Temperature < 0) throw new ArgumentException($"Temperature must be >= 0, got {Temperature}");
        if (TopK < 0) throw new ArgumentException($"TopK must be >= 0, got {TopK}");
        if (TopP is <= 0 or > 1) throw new ArgumentException($"TopP must be in (0, 1], got {TopP}");
        return this;
    }
}
