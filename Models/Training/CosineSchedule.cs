using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AkkaRlhf.Models.Training;

/// <summary>
/// Linear warmup then cosine decay to a floor, as nanoGPT's get_lr, a pure function of the step:
/// <code>
/// step &lt; W      : lr = maxLr * (step + 1) / (W + 1)
/// W &lt;= step &lt;= D : lr = minLr + 0.5 (1 + cos(pi (step - W) / (D - W))) (maxLr - minLr)
/// step &gt; D      : lr = minLr
/// </code>
/// with W = warmupSteps and D = decaySteps (the step at which the floor is reached).
/// </summary>
public sealed record CosineSchedule
{
    public CosineSchedule(double maxLr, double minLr, long warmupSteps, long decaySteps)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(minLr);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLr, minLr);
        ArgumentOutOfRangeException.ThrowIfNegative(warmupSteps);
        if (decaySteps <= warmupSteps) throw new ArgumentOutOfRangeException(nameof(decaySteps), decaySteps, "decay must end after warmup");
        (MaxLr, MinLr, WarmupSteps, DecaySteps) = (maxLr, minLr, warmupSteps, decaySteps);
    }

    public double MaxLr { get; }
    public double MinLr { get; }
    public long WarmupSteps { get; }
    public long DecaySteps { get; }

    /// <summary>The learning rate at <paramref name="step"/> (0-based).</summary>
    public double LearningRate(long step)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        if (step < WarmupSteps) return MaxLr * (step + 1) / (WarmupSteps + 1);
        if (step > DecaySteps) return MinLr;
        var ratio = (double)(step - WarmupSteps) / (DecaySteps - WarmupSteps);
        var coeff = 0.5 * (1 + Math.Cos(Math.PI * ratio));
        return MinLr + coeff * (MaxLr - MinLr);
    }

    /// <summary>Sets the lr of every parameter group of <paramref name="optimizer"/> for <paramref name="step"/>; returns it.</summary>
    public double Apply(AdamW optimizer, long step) => Apply(optimizer.ParamGroups, step);

    /// <summary>Sets the lr of every group for <paramref name="step"/>; returns it.</summary>
    public double Apply(IEnumerable<optim.ILearningRateController> groups, long step)
    {
        var lr = LearningRate(step);
        foreach (var g in groups) g.LearningRate = lr;
        return lr;
    }
}
