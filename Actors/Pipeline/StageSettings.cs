using AkkaRlhf.Configuration;
using AkkaRlhf.Models.Losses;

namespace AkkaRlhf.Actors.Pipeline;

/// <summary>Optimiser settings shared by the offline stages: AdamW with warmup + cosine decay to lr * min-lr-ratio.</summary>
public sealed record OptimizerSettings(double Lr, double WeightDecay = 0.01, int WarmupSteps = 10, double MinLrRatio = 0.1, double MaxGradNorm = 1.0)
{
    public static OptimizerSettings FromConfig(Config c, OptimizerSettings d) => new(
        c.GetDouble("lr", d.Lr), c.GetDouble("weight-decay", d.WeightDecay), c.GetInt("warmup-steps", d.WarmupSteps),
        c.GetDouble("min-lr-ratio", d.MinLrRatio), c.GetDouble("max-grad-norm", d.MaxGradNorm));

    public OptimizerSettings WithLr(double lr) => this with { Lr = lr };
}

/// <summary>Stage 1, supervised fine-tuning (<c>akka-rlhf.sft</c>).</summary>
public sealed record SftSettings(int Steps = 600, int BatchSize = 32, OptimizerSettings? Optimizer = null, string Device = "cpu")
{
    public OptimizerSettings Optim => Optimizer ?? new OptimizerSettings(3e-3);
    public static SftSettings Default { get; } = new();

    public static SftSettings FromConfig(Config c) => new(
        c.GetInt("steps", Default.Steps), c.GetInt("batch-size", Default.BatchSize),
        OptimizerSettings.FromConfig(c, Default.Optim), c.GetString("device", Default.Device));

    public SftSettings WithSteps(int steps) => this with { Steps = steps };
}

/// <summary>Stage 2, the reward model (<c>akka-rlhf.rm</c>): pairwise Bradley-Terry, or listwise over K candidates.</summary>
public sealed record RewardModelSettings(int Steps = 400, int BatchSize = 32, OptimizerSettings? Optimizer = null, bool Listwise = false,
    double Margin = 0, string Device = "cpu")
{
    public OptimizerSettings Optim => Optimizer ?? new OptimizerSettings(1e-3);
    public static RewardModelSettings Default { get; } = new();

    public static RewardModelSettings FromConfig(Config c) => new(
        c.GetInt("steps", Default.Steps), c.GetInt("batch-size", Default.BatchSize),
        OptimizerSettings.FromConfig(c, Default.Optim), c.GetBoolean("listwise", Default.Listwise),
        c.GetDouble("margin", Default.Margin), c.GetString("device", Default.Device));

    public RewardModelSettings WithSteps(int steps) => this with { Steps = steps };
    public RewardModelSettings WithListwise(bool on) => this with { Listwise = on };
}

/// <summary>Offline DPO (<c>akka-rlhf.dpo</c>): sigmoid, cDPO (label-smoothing &gt; 0) or IPO.</summary>
public sealed record DpoSettings(int Steps = 300, int BatchSize = 32, OptimizerSettings? Optimizer = null, double Beta = 0.3,
    DpoLossType Loss = DpoLossType.Ipo, double LabelSmoothing = 0, string Device = "cpu")
{
    public OptimizerSettings Optim => Optimizer ?? new OptimizerSettings(1e-3);
    public static DpoSettings Default { get; } = new();

    public static DpoSettings FromConfig(Config c)
    {
        var loss = c.GetString("loss", "ipo").ToLowerInvariant();
        return new(c.GetInt("steps", Default.Steps), c.GetInt("batch-size", Default.BatchSize),
            OptimizerSettings.FromConfig(c, Default.Optim), c.GetDouble("beta", Default.Beta),
            loss switch
            {
                "sigmoid" or "cdpo" => DpoLossType.Sigmoid,
                "ipo" => DpoLossType.Ipo,
                _ => throw new ConfigurationException($"akka-rlhf.dpo.loss must be sigmoid, cdpo or ipo, got \"{loss}\""),
            },
            LabelSmoothingOf(c, loss), c.GetString("device", Default.Device));
    }

    private static double LabelSmoothingOf(Config c, string loss)
    {
        var eps = c.GetDouble("label-smoothing", Default.LabelSmoothing);
        return loss == "cdpo" && eps == 0 ? 0.1 : eps;
    }

    public DpoSettings WithBeta(double beta) => this with { Beta = beta };
    public DpoSettings WithSteps(int steps) => this with { Steps = steps };
}
