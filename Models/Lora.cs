using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static AkkaRlhf.Models.Scalars;
using F = TorchSharp.torch.nn.functional;

namespace AkkaRlhf.Models;

/// <summary>
/// LoRA (Hu et al. 2021) on the GPT projections, PEFT-style: beside a frozen Linear W (out, in), an adapter adds
/// (alpha / r) B A x with A (r, in) and B (out, r), B starting at zero so that a new adapter changes nothing.
/// <paramref name="Targets"/> names projections as PEFT does for GPT-2: <c>c_attn</c>, <c>c_proj</c> (attention and
/// MLP), <c>c_fc</c>.
/// </summary>
/// <param name="Rank">r, the adapters' inner size.</param>
/// <param name="Alpha">The scale numerator: updates are multiplied by alpha / r.</param>
/// <param name="Dropout">Dropout on the adapters' input (training only).</param>
public sealed record LoraConfig(int Rank, double Alpha, double Dropout, IReadOnlyList<string> Targets)
{
    /// <summary>The projections an adapter can sit beside.</summary>
    public static readonly IReadOnlyList<string> Projections = ["c_attn", "c_proj", "c_fc"];

    /// <summary>The config, or an <see cref="ArgumentException"/> whose <c>ParamName</c> is the setting out of range (rank, alpha, dropout, targets).</summary>
    public LoraConfig Validate()
    {
        if (Rank < 1) throw new ArgumentException($"LoRA rank must be at least 1, got {Rank}", "rank");
        if (Alpha <= 0) throw new ArgumentException($"LoRA alpha must be positive, got {Alpha}", "alpha");
        if (Dropout is < 0 or >= 1) throw new ArgumentException($"LoRA dropout must be in [0, 1), got {Dropout}", "dropout");
        if (Targets.Count == 0) throw new ArgumentException("LoRA needs at least one target module", "targets");
        if (Targets.Distinct().Count() != Targets.Count) throw new ArgumentException($"LoRA targets repeat a module: {string.Join(", ", Targets)}", "targets");
        foreach (var t in Targets.Where(t => !Projections.Contains(t)))
            throw new ArgumentException($"LoRA target '{t}' is not one of {string.Join(", ", Projections)}", "targets");
        return this;
    }

    /// <summary>alpha / r.</summary>
    public double Scaling => Alpha / Rank;
}

/// <summary>The low-rank update beside one Linear: x (..., in) -> (alpha / r) B A dropout(x) (..., out).</summary>
public sealed class LoraAdapter : nn.Module<Tensor, Tensor>
{
    public readonly Parameter lora_A, lora_B;
    public readonly Dropout dropout;
    public readonly double scaling;

    /// <summary>The settings the adapter was made with (a copy of the model gets the same).</summary>
    public readonly LoraConfig config;

    /// <summary>Off: the adapter adds nothing (the base model, e.g. PPO's reference policy).</summary>
    public bool enabled = true;

    /// <summary>
    /// The stream the dropout masks are drawn from while training; null = libtorch's default generator. A learner sets its
    /// own seeded one (and checkpoints it), so that learners training side by side stay deterministic.
    /// </summary>
    public Generator? generator;

    /// <summary>A (r, in) ~ U(-1/sqrt(in), 1/sqrt(in)) drawn from <paramref name="init"/> (nn.Linear's and PEFT's default), B (out, r) = 0.</summary>
    public LoraAdapter(long inFeatures, long outFeatures, LoraConfig config, Generator? init = null) : base(nameof(LoraAdapter))
    {
        using var noGrad = no_grad();
        var bound = 1.0 / Math.Sqrt(inFeatures);
        using var width = (2 * bound).ToScalar();
        using var lowest = bound.ToScalar();
        lora_A = new Parameter(rand([config.Rank, inFeatures], generator: init).mul_(width).sub_(lowest));
        lora_B = new Parameter(zeros(outFeatures, config.Rank));
        dropout = nn.Dropout(config.Dropout);
        scaling = config.Scaling;
        this.config = config;
        register_parameter("lora_A", lora_A);
        register_parameter("lora_B", lora_B);
        register_module("dropout", dropout);
    }

    /// <summary>x (..., in) -> (..., out).</summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        using var keep = (1 - dropout.p).ToScalar();
        using var scale = scaling.ToScalar();
        var input = generator is not null && dropout.training && dropout.p > 0
            ? x * torch.empty_like(x).bernoulli_(1 - dropout.p, generator).div_(keep) // inverted dropout, as nn.Dropout
            : Layers.Dropped(dropout, x);
        var low = F.linear(input, lora_A);                                           // (..., r)
        return F.linear(low, lora_B).mul_(scale).MoveToOuterDisposeScope();          // (..., out)
    }

    /// <summary>What merging adds to the base weight: (alpha / r) B A, (out, in).</summary>
    public Tensor delta()
    {
        using var scale = scaling.ToScalar();
        return lora_B.matmul(lora_A).mul_(scale);
    }
}

/// <summary>Adding, switching and merging the LoRA adapters of a GPT trunk.</summary>
public static class Lora
{
    /// <summary>Suffix of an adapter's module name beside its projection: <c>h.0.attn.c_attn</c> -> <c>h.0.attn.c_attn_lora</c>.</summary>
    public const string Suffix = "_lora";

    /// <summary>
    /// Adds an adapter beside every target projection of every block (A drawn from <paramref name="init"/>, block by
    /// block, in the order of <see cref="LoraConfig.Targets"/>) and freezes the trunk's own parameters: only adapters
    /// train. Heads outside the trunk (a value or reward head) are left as they are.
    /// </summary>
    public static void AddLora(this Gpt gpt, LoraConfig config, Generator? init = null)
    {
        config.Validate();
        if (Adapters(gpt).Any()) throw new InvalidOperationException("the model already has LoRA adapters");
        foreach (var block in gpt.h)
            foreach (var target in config.Targets)
            {
                if (target is "c_attn") block.attn.Adapt("c_attn", config, init);
                if (target is "c_proj") block.attn.Adapt("c_proj", config, init);
                if (target is "c_fc") block.mlp.Adapt("c_fc", config, init);
                if (target is "c_proj") block.mlp.Adapt("c_proj", config, init);
            }
        foreach (var (name, p) in gpt.named_parameters()) p.requires_grad = IsAdapter(name);
    }

    /// <summary>Turns every adapter of <paramref name="model"/> on or off (off: exactly the base model).</summary>
    public static void SetLoraEnabled(this nn.Module model, bool enabled)
    {
        foreach (var (_, adapter) in Adapters(model)) adapter.enabled = enabled;
    }

    /// <summary>Draws every adapter's dropout mask of <paramref name="model"/> from <paramref name="generator"/> (null: libtorch's default).</summary>
    public static void SetDropoutGenerator(this nn.Module model, Generator? generator)
    {
        foreach (var (_, adapter) in Adapters(model)) adapter.generator = generator;
    }

    /// <summary>The adapters of <paramref name="model"/> by module name (e.g. <c>transformer.h.0.attn.c_attn_lora</c>).</summary>
    public static IEnumerable<(string Name, LoraAdapter Adapter)> Adapters(nn.Module model) =>
        model.named_modules().Where(m => m.module is LoraAdapter).Select(m => (m.name, (LoraAdapter)m.module));

    /// <summary>The settings <paramref name="model"/>'s adapters were added with; null without adapters.</summary>
    public static LoraConfig? ConfigOf(nn.Module model) => Adapters(model).Select(a => a.Adapter.config).FirstOrDefault();

    /// <summary>A plain <see cref="GptLM"/> (no adapters, eval mode) with <paramref name="model"/>'s adapters merged into its weights (<see cref="MergedStateDict"/>).</summary>
    public static GptLM Merged(this GptLM model)
    {
        var merged = Uninitialized.Create(() => new GptLM(model.config));            // every weight is overwritten
        using (var scope = NewDisposeScope()) merged.load_state_dict(model.MergedStateDict());
        merged.eval();
        return merged;
    }

    /// <summary>Whether a parameter or module name belongs to an adapter.</summary>
    public static bool IsAdapter(string name) => name.Contains(Suffix + ".", StringComparison.Ordinal) || name.EndsWith(Suffix, StringComparison.Ordinal);

    /// <summary>
    /// The plain state dict of <paramref name="model"/> with every adapter merged into its projection's weight
    /// (W + (alpha / r) B A) and no adapter entries: what a model without LoRA loads and saves (new CPU tensors).
    /// </summary>
    public static Dictionary<string, Tensor> MergedStateDict(this nn.Module model)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var merged = model.state_dict().Where(kv => !IsAdapter(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value.detach().cpu().clone());
        foreach (var (name, adapter) in Adapters(model))
        {
            var key = name[..^Suffix.Length] + ".weight";
            var weight = merged[key];                                                     // merged in float32 (or wider), then cast back
            var wide = weight.dtype == ScalarType.Float64 ? ScalarType.Float64 : ScalarType.Float32;
            merged[key] = weight.to(wide).add_(adapter.delta().cpu().to(wide), One).to(weight.dtype);
        }
        foreach (var t in merged.Values) t.MoveToOuterDisposeScope();
        return merged;
    }
}
