using AkkaRlhf.Torch;

namespace AkkaRlhf.Models;

// The GPT-2 trunk in one file, nanoGPT style. Parameter names follow Hugging Face's GPT2Model:
//   wte, wpe, h.{i}.ln_1, h.{i}.attn.c_attn, h.{i}.attn.c_proj, h.{i}.ln_2, h.{i}.mlp.c_fc,
//   h.{i}.mlp.c_proj, ln_f   (HF stores Conv1D weights as (in, out); ours are Linear (out, in)).
// Shapes: B batch, T new tokens, S = past + T key positions, C = n_embd, nh heads, hs = C / nh.

/// <summary>Multi-head causal self-attention with matmul + masked softmax, optionally reading and writing a <see cref="KvCache"/>.</summary>
public sealed class CausalSelfAttention : Module
{
    public readonly Linear c_attn, c_proj;
    public readonly Dropout attn_dropout, resid_dropout;
    private readonly int n_head;

    public CausalSelfAttention(GptConfig config, Generator? init = null, Generator? dropout = null)
    {
        n_head = config.NHead;
        c_attn = register_module("c_attn", new Linear(config.NEmbd, 3 * config.NEmbd, config.Bias, generator: init));
        c_proj = register_module("c_proj", new Linear(config.NEmbd, config.NEmbd, config.Bias, generator: init));
        attn_dropout = register_module("attn_dropout", new Dropout(config.Dropout, dropout));
        resid_dropout = register_module("resid_dropout", new Dropout(config.Dropout, dropout));
    }

    /// <summary>
    /// x (B, T, C), <paramref name="blocked"/> (B, 1, T, S) true where a query may not see a key
    /// -> (B, T, C). With <paramref name="cache"/>, this call's keys and values are written at the
    /// cache's current length and attention runs over every cached position.
    /// </summary>
    public Tensor forward(Tensor x, Tensor blocked, KvCache.Layer? cache = null)
    {
        using var scope = torch.NewDisposeScope();
        var shape = x.shape;
        var (B, T, C) = (shape[0], shape[1], shape[2]);
        var hs = C / n_head;
        var qkv = c_attn.forward(x).view(B, T, 3, n_head, hs).permute(2, 0, 3, 1, 4); // (3, B, nh, T, hs)
        var (q, k, v) = (qkv.select(0, 0), qkv.select(0, 1), qkv.select(0, 2));      // (B, nh, T, hs) each
        if (cache is not null) (k, v) = cache.Append(k, v);                          // (B, nh, S, hs)

        var att = (q * (1.0 / Math.Sqrt(hs))).matmul(k.transpose(-2, -1));           // (B, nh, T, S)
        att = att.masked_fill(blocked, MinValue(att.dtype)).softmax(-1);
        att = Dropped(attn_dropout, att);
        var y = att.matmul(v);                                                        // (B, nh, T, hs)
        y = y.transpose(1, 2).reshape(B, T, C);                                       // (B, T, C)
        return Dropped(resid_dropout, c_proj.forward(y)).MoveToOuterDisposeScope();
    }

    // Dropout only when it does something: saves a native call per use in eval mode or with p = 0.
    internal static Tensor Dropped(Dropout d, Tensor x) => d.training && d.p > 0 ? d.forward(x) : x;

    // A finite "minus infinity": a query whose keys are all blocked (a left-pad position) gets a
    // uniform, finite attention instead of NaN; its output is never used.
    internal static double MinValue(ScalarType t) => t == ScalarType.Float64 ? double.MinValue : float.MinValue;
}

/// <summary>The feed-forward block: c_fc (C -> 4C), GELU (tanh), c_proj (4C -> C), dropout.</summary>
public sealed class Mlp : Module
{
    public readonly Linear c_fc, c_proj;
    public readonly Dropout dropout;

    public Mlp(GptConfig config, Generator? init = null, Generator? dropout = null)
    {
        c_fc = register_module("c_fc", new Linear(config.NEmbd, 4 * config.NEmbd, config.Bias, generator: init));
        c_proj = register_module("c_proj", new Linear(4 * config.NEmbd, config.NEmbd, config.Bias, generator: init));
        this.dropout = register_module("dropout", new Dropout(config.Dropout, dropout));
    }

    /// <summary>(B, T, C) -> (B, T, C).</summary>
    public Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var h = torch.nn.functional.gelu(c_fc.forward(x), approximate: "tanh");     // (B, T, 4C)
        return CausalSelfAttention.Dropped(dropout, c_proj.forward(h)).MoveToOuterDisposeScope();
    }
}

/// <summary>A pre-norm transformer block: x + attn(ln_1(x)), then x + mlp(ln_2(x)).</summary>
public sealed class Block : Module
{
    public readonly LayerNorm ln_1, ln_2;
    public readonly CausalSelfAttention attn;
    public readonly Mlp mlp;

    public Block(GptConfig config, Generator? init = null, Generator? dropout = null)
    {
        ln_1 = register_module("ln_1", new LayerNorm(config.NEmbd, config.LayerNormEpsilon, config.Bias));
        attn = register_module("attn", new CausalSelfAttention(config, init, dropout));
        ln_2 = register_module("ln_2", new LayerNorm(config.NEmbd, config.LayerNormEpsilon, config.Bias));
        mlp = register_module("mlp", new Mlp(config, init, dropout));
    }

    /// <summary>(B, T, C) -> (B, T, C).</summary>
    public Tensor forward(Tensor x, Tensor blocked, KvCache.Layer? cache = null)
    {
        using var scope = torch.NewDisposeScope();
        x = x + attn.forward(ln_1.forward(x), blocked, cache);
        x = x + mlp.forward(ln_2.forward(x));
        return x.MoveToOuterDisposeScope();
    }
}

/// <summary>
/// The GPT-2 transformer trunk (HF's GPT2Model): token and position embeddings, <c>n_layer</c>
/// blocks, final LayerNorm. Returns hidden states; the heads (<see cref="GptLM"/>,
/// <see cref="GptValue"/>, <see cref="GptReward"/>) turn them into logits, values or rewards.
/// </summary>
public sealed class Gpt : Module
{
    public readonly GptConfig config;
    public readonly Embedding wte, wpe;
    public readonly Dropout drop;
    public readonly ModuleList<Block> h;
    public readonly LayerNorm ln_f;

    /// <summary>
    /// A randomly initialised trunk: weights N(0, 0.02), residual projections N(0, 0.02/sqrt(2 n_layer))
    /// (GPT-2), biases 0, drawn from <paramref name="init"/> when given. Dropout masks draw from
    /// <paramref name="dropout"/> when given (it must outlive the model).
    /// </summary>
    public Gpt(GptConfig config, Generator? init = null, Generator? dropout = null)
    {
        this.config = config.Validate();
        wte = register_module("wte", new Embedding(config.VocabSize, config.NEmbd, std: 0.02, generator: init));
        wpe = register_module("wpe", new Embedding(config.BlockSize, config.NEmbd, std: 0.02, generator: init));
        drop = register_module("drop", new Dropout(config.Dropout, dropout));
        h = register_module("h", new ModuleList<Block>(Enumerable.Range(0, config.NLayer).Select(_ => new Block(config, init, dropout))));
        ln_f = register_module("ln_f", new LayerNorm(config.NEmbd, config.LayerNormEpsilon, config.Bias));
        GptInit.Apply(this, config, init);
    }

    /// <summary>
    /// <paramref name="input_ids"/> (B, T) int64 -> hidden states (B, T, C) after <c>ln_f</c>.
    /// <paramref name="attention_mask"/> (B, T), 1 for real tokens and 0 for padding (left or right);
    /// positions count real tokens only (cumsum - 1, clamped at 0), so a left-padded prompt sees the
    /// same positions as unpadded. With <paramref name="cache"/> (inference, under no_grad), the T
    /// tokens follow the cache's <see cref="KvCache.length"/> positions; the mask covers the new tokens
    /// only (the cache remembers earlier ones).
    /// </summary>
    public Tensor forward(Tensor input_ids, Tensor? attention_mask = null, KvCache? cache = null)
    {
        using var scope = torch.NewDisposeScope();
        var (B, T) = (input_ids.size(0), input_ids.size(1));
        var past = cache?.length ?? 0;
        var S = past + T;
        if (S > config.BlockSize)
            throw new ArgumentException($"sequence of {S} positions exceeds block_size {config.BlockSize}");

        // Key mask over every position seen so far: (B, S), 1 = real token.
        Tensor? keys = attention_mask?.to(ScalarType.Int64);
        if (cache is not null) keys = cache.AppendMask(keys ?? torch.ones([B, T], ScalarType.Int64, input_ids.device));
        Tensor positions;                                                             // (B, T) or (T)
        if (keys is null) positions = torch.arange(T, device: input_ids.device);
        else positions = (keys.cumsum(1) - 1).clamp_min(0).to(ScalarType.Int64).narrow(1, past, T); // (B, T); a double scalar promotes to float

        // blocked[b, 0, i, j]: key j is in the future of query i (absolute position past + i) or padding.
        var qpos = torch.arange(past, S, device: input_ids.device).view(T, 1);       // (T, 1)
        var kpos = torch.arange(S, device: input_ids.device).view(1, S);              // (1, S)
        var blocked = kpos.gt(qpos);                                                  // (T, S)
        if (keys is not null) blocked = blocked.logical_or(keys.eq(0).view(B, 1, 1, S)); // (B, 1, T, S)
        else blocked = blocked.view(1, 1, T, S);                                      // (1, 1, T, S)

        var x = CausalSelfAttention.Dropped(drop, wte.forward(input_ids) + wpe.forward(positions)); // (B, T, C)
        for (var i = 0; i < h.Count; i++) x = h[i].forward(x, blocked, cache?.layers[i]);
        cache?.Advance(T);
        return ln_f.forward(x).MoveToOuterDisposeScope();
    }
}

/// <summary>GPT-2 initialisation (nanoGPT's _init_weights).</summary>
internal static class GptInit
{
    public static void Apply(Module model, GptConfig config, Generator? g)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        foreach (var (name, p) in model.named_parameters())
        {
            if (name.EndsWith(".bias", StringComparison.Ordinal) && !name.Contains("ln_", StringComparison.Ordinal)) p.zero_();
            else if (name.Contains(".c_", StringComparison.Ordinal) && name.EndsWith(".weight", StringComparison.Ordinal))
            {
                var std = name.EndsWith("c_proj.weight", StringComparison.Ordinal) ? 0.02 / Math.Sqrt(2.0 * config.NLayer) : 0.02;
                p.copy_(torch.randn(p.shape, p.dtype, p.device, g) * std);
            }
        }
    }
}
