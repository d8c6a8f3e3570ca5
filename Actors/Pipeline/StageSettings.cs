using AkkaRlhf.Configuration;
using AkkaRlhf.Models;
using AkkaRlhf.Models.Losses;

namespace AkkaRlhf.Actors.Pipeline;

/// <summary>
/// Optimiser settings shared by the offline stages: AdamW with warmup + cosine decay to lr * min-lr-ratio; each step's
/// gradient accumulated over micro-batches of <paramref name="MicroBatchSize"/> rows (0 = the whole batch at once).
/// </summary>
public sealed record OptimizerSettings(double Lr, double WeightDecay, int WarmupSteps, double MinLrRatio, double MaxGradNorm, int MicroBatchSize = 0)
{
    /// <summary>Reads the optimiser keys of a stage's block (<paramref name="c"/>, found at <paramref name="path"/>).</summary>
    public static OptimizerSettings FromConfig(Config c, string path) => new(
        c.GetDouble("lr"), c.GetDouble("weight-decay"), c.GetInt("warmup-steps"), c.GetDouble("min-lr-ratio"), c.GetDouble("max-grad-norm"),
        SettingRange.MicroBatchSize(c, path));

    public OptimizerSettings WithLr(double lr) => this with { Lr = lr };
}

/// <summary>Stage 1, supervised fine-tuning (<c>akka-rlhf.sft</c>).</summary>
public sealed record SftSettings(int Steps, int BatchSize, OptimizerSettings Optim, string Device)
{
    public static SftSettings FromConfig(Config c) =>
        new(c.GetInt("steps"), c.GetInt("batch-size"), OptimizerSettings.FromConfig(c, "akka-rlhf.sft"), c.GetString("device"));

    public SftSettings WithSteps(int steps) => this with { Steps = steps };
}

/// <summary>Stage 2, the reward model (<c>akka-rlhf.rm</c>): pairwise Bradley-Terry, or listwise over K candidates.</summary>
public sealed record RewardModelSettings(int Steps, int BatchSize, OptimizerSettings Optim, bool Listwise, double Margin, string Device)
{
    public static RewardModelSettings FromConfig(Config c) => new(c.GetInt("steps"), c.GetInt("batch-size"),
        OptimizerSettings.FromConfig(c, "akka-rlhf.rm"), c.GetBoolean("listwise"), c.GetDouble("margin"), c.GetString("device"));

    public RewardModelSettings WithSteps(int steps) => this with { Steps = steps };
    public RewardModelSettings WithListwise(bool on) => this with { Listwise = on };
}

/// <summary>Offline DPO (<c>akka-rlhf.dpo</c>): sigmoid, cDPO (label-smoothing &gt; 0) or IPO; <paramref name="Lora"/> null = full fine-tuning.</summary>
public sealed record DpoSettings(int Steps, int BatchSize, OptimizerSettings Optim, double Beta, DpoLossType Loss, double LabelSmoothing, string Device,
    LoraConfig? Lora = null)
{
    public static DpoSettings FromConfig(Config c)
    {
        var loss = c.GetString("loss").ToLowerInvariant();
        return new(c.GetInt("steps"), c.GetInt("batch-size"), OptimizerSettings.FromConfig(c, "akka-rlhf.dpo"), c.GetDouble("beta"),
            loss switch
            {
                "sigmoid" or "cdpo" => DpoLossType.Sigmoid,
                "ipo" => DpoLossType.Ipo,
                _ => throw new ConfigurationException($"akka-rlhf.dpo.loss must be sigmoid, cdpo or ipo, got \"{loss}\""),
            },
            LabelSmoothingOf(c, loss), c.GetString("device"), LoraSettings.FromConfig(c.GetConfig("lora"), "akka-rlhf.dpo.lora"));
    }

    private static double LabelSmoothingOf(Config c, string loss)
    {
        var eps = c.GetDouble("label-smoothing");
        return loss == "cdpo" && eps == 0 ? 0.1 : eps;
    }

    public DpoSettings WithBeta(double beta) => this with { Beta = beta };
    public DpoSettings WithSteps(int steps) => this with { Steps = steps };
    public DpoSettings WithLora(LoraConfig? lora) => this with { Lora = lora?.Validate() };
}
