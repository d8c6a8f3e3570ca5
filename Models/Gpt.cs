using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static AkkaRlhf.Models.Scalars;
using F = TorchSharp.torch.nn.functional;

namespace AkkaRlhf.Models;

// The GPT-2 trunk in one file, nanoGPT style, on TorchSharp modules. Parameter names follow Hugging
// Face's GPT2Model: wte, wpe, h.{i}.ln_1, h.{i}.attn.c_attn, h.{i}.attn.c_proj, h.{i}.ln_2,
// h.{i}.mlp.c_fc, h.{i}.mlp.c_proj, ln_f   (HF stores Conv1D weights as (in, out); ours are Linear (out, in)).
// Shapes: B batch, T new tokens, S = past + T key positions, C = n_embd, nh heads, hs = C / nh.

/// <summary>
/// Multi-head causal self-attention through <c>scaled_dot_product_attention</c> (libtorch's fused
/// kernels), optionally reading and writing a <see cref="KvCache"/>.
/// </summary>
public sealed class CausalSelfAttention : nn.Module
{
    public readonly Linear c_attn, c_proj;
    public LoraAdapter? c_attn_lora, c_proj_lora;                                     // LoRA beside the projections (Models/Lora.cs)
    public readonly Dropout resid_dropout;
    private readonly int n_head;
    private readonly double attn_pdrop;

    public CausalSelfAttention(GptConfig config, Generator? init = null) : base(nameof(CausalSelfAttention))
    {
        n_head = config.NHead;
        attn_pdrop = config.Dropout;
        c_attn = Layers.Linear(config.NEmbd, 3 * config.NEmbd, config.Bias, 0.02, init);
        c_proj = Layers.Linear(config.NEmbd, config.NEmbd, config.Bias, Layers.ResidualStd(config), init);
        resid_dropout = nn.Dropout(config.Dropout);
        register_module("c_attn", c_attn);
        register_module("c_proj", c_proj);
        register_module("resid_dropout", resid_dropout);
    }

    /// <summary>
    /// x (B, T, C) -> (B, T, C). <paramref name="mask"/> is added to the attention scores:
    /// (B or 1, 1, T, S), 0 where a query may see a key and a large negative number elsewhere; null
    /// means plain causal attention over the T new tokens (no cache, no padding). With
    /// <paramref name="cache"/>, this call's keys and values are written at the cache's current
    /// length and attention runs over every cached position.
    /// </summary>
    public Tensor forward(Tensor x, Tensor? mask, KvCache.Layer? cache = null)
    {
        using var scope = NewDisposeScope();
        var (B, T, C) = (x.shape[0], x.shape[1], x.shape[2]);
        var hs = C / n_head;
        var qkv = Layers.Project(c_attn, c_attn_lora, x).view(B, T, 3, n_head, hs).permute(2, 0, 3, 1, 4); // (3, B, nh, T, hs)
        var (q, k, v) = (qkv[0], qkv[1], qkv[2]);                                     // (B, nh, T, hs) each
        if (cache is not null) (k, v) = cache.Append(k, v);                          // (B, nh, S, hs)

        var p = training ? attn_pdrop : 0.0;
        var y = F.scaled_dot_product_attention(q, k, v, mask, p, is_casual: mask is null); // (B, nh, T, hs)
        y = y.transpose(1, 2).reshape(B, T, C);                                       // (B, T, C)
        return Layers.Dropped(resid_dropout, Layers.Project(c_proj, c_proj_lora, y)).MoveToOuterDisposeScope();
    }

    /// <summary>Puts a new LoRA adapter beside <paramref name="projection"/> ("c_attn" or "c_proj").</summary>
    internal void Adapt(string projection, LoraConfig config, Generator? init)
    {
        var adapter = Layers.AdapterFor(projection == "c_attn" ? c_attn : c_proj, config, init);
        if (projection == "c_attn") c_attn_lora = adapter; else c_proj_lora = adapter;
        register_module(projection + Lora.Suffix, adapter);
    }
}

/// <summary>The feed-forward block: c_fc (C -> 4C), GELU (tanh), c_proj (4C -> C), dropout.</summary>
public sealed class Mlp : nn.Module
{
    public readonly Linear c_fc, c_proj;
    public LoraAdapter? c_fc_lora, c_proj_lora;                                       // LoRA beside the projections (Models/Lora.cs)
    public readonly Dropout dropout;

    public Mlp(GptConfig config, Generator? init = null) : base(nameof(Mlp))
    {
        c_fc = Layers.Linear(config.NEmbd, 4 * config.NEmbd, config.Bias, 0.02, init);
        c_proj = Layers.Linear(4 * config.NEmbd, config.NEmbd, config.Bias, Layers.ResidualStd(config), init);
        dropout = nn.Dropout(config.Dropout);
        register_module("c_fc", c_fc);
        register_module("c_proj", c_proj);
        register_module("dropout", dropout);
    }

    /// <summary>(B, T, C) -> (B, T, C).</summary>
    public Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = F.gelu(Layers.Project(c_fc, c_fc_lora, x), GELU.Approximate.tanh);  // (B, T, 4C)
        return Layers.Dropped(dropout, Layers.Project(c_proj, c_proj_lora, h)).MoveToOuterDisposeScope();
    }

    /// <summary>Puts a new LoRA adapter beside <paramref name="projection"/> ("c_fc" or "c_proj").</summary>
    internal void Adapt(string projection, LoraConfig config, Generator? init)
    {
        var adapter = Layers.AdapterFor(projection == "c_fc" ? c_fc : c_proj, config, init);
        if (projection == "c_fc") c_fc_lora = adapter; else c_proj_lora = adapter;
        register_module(projection + Lora.Suffix, adapter);
    }
}

/// <summary>A pre-norm transformer block: x + attn(ln_1(x)), then x + mlp(ln_2(x)).</summary>
public sealed class Block : nn.Module
{
    public readonly LayerNorm ln_1, ln_2;
    public readonly CausalSelfAttention attn;
    public readonly Mlp mlp;

    public Block(GptConfig config, Generator? init = null) : base(nameof(Block))
    {
        ln_1 = nn.LayerNorm(config.NEmbd, config.LayerNormEpsilon, bias: config.Bias);
        attn = new CausalSelfAttention(config, init);
        ln_2 = nn.LayerNorm(config.NEmbd, config.LayerNormEpsilon, bias: config.Bias);
        mlp = new Mlp(config, init);
        register_module("ln_1", ln_1);
        register_module("attn", attn);
        register_module("ln_2", ln_2);
        register_module("mlp", mlp);
    }

    /// <summary>(B, T, C) -> (B, T, C).</summary>
    public Tensor forward(Tensor x, Tensor? mask, KvCache.Layer? cache = null)
    {
        using var scope = NewDisposeScope();
        x = x.add(attn.forward(ln_1.forward(x), mask, cache), One);                  // x + attn(ln_1(x)): Scalars
        x = x.add(mlp.forward(ln_2.forward(x)), One);
        return x.MoveToOuterDisposeScope();
    }
}

/// <summary>
/// The GPT-2 transformer trunk (HF's GPT2Model): token and position embeddings, <c>n_layer</c>
/// blocks, final LayerNorm. Returns hidden states; the heads (<see cref="GptLM"/>,
/// <see cref="GptValue"/>, <see cref="GptReward"/>) turn them into logits, values or rewards.
/// </summary>
public sealed class Gpt : nn.Module
{
    public readonly GptConfig config;
    public readonly EmbeddingTable wte, wpe;
    public readonly Dropout drop;
    public readonly ModuleList<Block> h;
    public readonly LayerNorm ln_f;

    /// <summary>
    /// A randomly initialised trunk (GPT-2 / nanoGPT): weights N(0, 0.02), residual projections
    /// N(0, 0.02/sqrt(2 n_layer)), biases 0, LayerNorm 1 and 0, every draw from <paramref name="init"/>
    /// when given (else libtorch's default generator), in registration order. Dropout (when
    /// <c>config.Dropout</c> &gt; 0 in training mode) draws from libtorch's default generator.
    /// </summary>
    public Gpt(GptConfig config, Generator? init = null) : base(nameof(Gpt))
    {
        this.config = config.Validate();
        wte = new EmbeddingTable(config.VocabSize, config.NEmbd, 0.02, init);
        wpe = new EmbeddingTable(config.BlockSize, config.NEmbd, 0.02, init);
        drop = nn.Dropout(config.Dropout);
        h = nn.ModuleList(Enumerable.Range(0, config.NLayer).Select(_ => new Block(config, init)).ToArray());
        ln_f = nn.LayerNorm(config.NEmbd, config.LayerNormEpsilon, bias: config.Bias);
        register_module("wte", wte);
        register_module("wpe", wpe);
        register_module("drop", drop);
        register_module("h", h);
        register_module("ln_f", ln_f);
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
        using var scope = NewDisposeScope();
        var (B, T) = (input_ids.size(0), input_ids.size(1));
        var past = cache?.length ?? 0;
        var S = past + T;
        if (S > config.BlockSize)
            throw new ArgumentException($"sequence of {S} positions exceeds block_size {config.BlockSize}");
        var device = input_ids.device;

        // Key mask over every position seen so far: (B, S), 1 = real token.
        var keys = attention_mask?.to(ScalarType.Int64);
        if (cache is not null) keys = cache.AppendMask(keys ?? ones(B, T, ScalarType.Int64, device));
        var positions = keys is null
            ? Arange(0, T, device)                                                    // (T)
            : (keys.cumsum(1) - One).clamp_min(Zero).narrow(1, past, T);              // (B, T)

        var x = Layers.Dropped(drop, wte.forward(input_ids).add(wpe.forward(positions), One)); // (B, T, C)
        var mask = AttentionMask(keys, past, T, x.dtype);                              // (B, 1, T, S) or null
        for (var i = 0; i < h.Count; i++) x = h[i].forward(x, mask, cache?.layers[i]);
        cache?.Advance(T);
        return ln_f.forward(x).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The additive attention mask for T queries at absolute positions past..past+T-1 over S = past + T
    /// keys: 0 where the key is real and not in the query's future, the dtype's lowest finite value
    /// elsewhere -> (B, 1, T, S); null when plain causal attention is exact (no cache, no padding).
    /// A finite "minus infinity" gives a query whose keys are all blocked (a left-pad position) a
    /// uniform, finite attention instead of NaN; its output is never used.
    /// </summary>
    public static Tensor? AttentionMask(Tensor? keys, long past, long T, ScalarType dtype)
    {
        var S = past + T;
        if (past == 0 && (keys is null || !keys.eq(Zero).any().item<bool>())) return null;
        var device = keys?.device ?? CPU;
        using var lowest = finfo(dtype).min.ToScalar();                              // finite in every float dtype (half too)
        if (T == 1 && keys is not null)                                               // one decoded token: no key is in its future
            return zeros([keys.size(0), 1, 1, S], dtype, device).masked_fill(keys.eq(Zero).view(-1, 1, 1, S), lowest); // (B, 1, 1, S)
        var qpos = Arange(past, S, device).view(T, 1);                                // (T, 1)
        var kpos = Arange(0, S, device).view(1, S);                                   // (1, S)
        var blocked = kpos.gt(qpos).view(1, 1, T, S);                                 // (1, 1, T, S)
        if (keys is not null) blocked = blocked.logical_or(keys.eq(Zero).view(-1, 1, 1, S)); // (B, 1, T, S)
        return zeros(blocked.shape, dtype, device).masked_fill(blocked, lowest);
    }
}

/// <summary>Construction helpers shared by the GPT modules: seeded initialisation and cheap dropout.</summary>
internal static class Layers
{
    [ThreadStatic] private static bool _uninitialized;

    /// <summary>A weight of <paramref name="shape"/> drawn from N(0, <paramref name="std"/>), or left unwritten inside <see cref="Uninitialized"/>.</summary>
    public static Tensor Normal(long[] shape, double std, Generator? g)
    {
        if (_uninitialized) return empty(shape);
        using var scale = std.ToScalar();
        return randn(shape, generator: g).mul_(scale);
    }

    /// <summary>Runs <paramref name="build"/> with its big weights allocated but not written (see <see cref="Models.Uninitialized"/>).</summary>
    public static T Uninitialized<T>(Func<T> build)
    {
        var outer = _uninitialized;
        _uninitialized = true;
        try { return build(); }
        finally { _uninitialized = outer; }
    }

    /// <summary>GPT-2's residual projections: N(0, 0.02 / sqrt(2 n_layer)).</summary>
    public static double ResidualStd(GptConfig config) => 0.02 / Math.Sqrt(2.0 * config.NLayer);

    /// <summary>A Linear (out, in) with weight N(0, <paramref name="std"/>) drawn from <paramref name="g"/> and bias 0.</summary>
    public static Linear Linear(long inFeatures, long outFeatures, bool bias, double std, Generator? g)
    {
        using var noGrad = no_grad();
        var weight = new Parameter(Normal([outFeatures, inFeatures], std, g));
        return nn.Linear(weight, bias ? new Parameter(zeros(outFeatures)) : null);
    }

    /// <summary>A Linear's output, plus its LoRA adapter's update when it has one that is on.</summary>
    public static Tensor Project(Linear linear, LoraAdapter? lora, Tensor x) =>
        lora is { enabled: true } ? linear.forward(x).add_(lora.forward(x), One) : linear.forward(x);

    /// <summary>A new adapter shaped for <paramref name="linear"/> (out, in), on its device and dtype.</summary>
    public static LoraAdapter AdapterFor(Linear linear, LoraConfig config, Generator? init)
    {
        var adapter = new LoraAdapter(linear.weight!.shape[1], linear.weight.shape[0], config, init);
        adapter.to(linear.weight.dtype).to(linear.weight.device);
        return adapter;
    }

    /// <summary>Dropout only when it does something: saves a native call per use in eval mode or with p = 0.</summary>
    public static Tensor Dropped(Dropout d, Tensor x) => d.training && d.p > 0 ? d.forward(x) : x;
}
