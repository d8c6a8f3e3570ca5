using AkkaRlhf.Actors.Pipeline;
using AkkaRlhf.Models.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AkkaRlhf.Actors.Roles;

/// <summary>AdamW with decay / no-decay groups and a warmup + cosine schedule, from <see cref="OptimizerSettings"/>.</summary>
public static class Optimizers
{
    public static (AdamW Optimizer, CosineSchedule Schedule) Create(nn.Module model, OptimizerSettings s, int steps)
    {
        AdamW optimizer = new StepwiseAdamW(OptimizerGroups.DecayNoDecay(model, s.WeightDecay, s.Lr));
        var warmup = Math.Min(s.WarmupSteps, Math.Max(0, steps - 1));
        return (optimizer, new CosineSchedule(s.Lr, s.Lr * s.MinLrRatio, warmup, Math.Max(warmup + 1, steps)));
    }
}
