using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AkkaRlhf.Models.Training;

/// <summary>What one optimiser step did: the loss, the gradient norm before clipping, the lr used.</summary>
public sealed record StepStats(double Loss, double GradNorm, double LearningRate);

/// <summary>One optimisation step: zero_grad, backward, clip_grad_norm_, schedule, AdamW step.</summary>
public static class TrainStep
{
    /// <summary>
    /// <c>zero_grad(); loss.backward(); norm = clip_grad_norm_(params, maxGradNorm); lr = schedule(step); optimizer.step()</c>.
    /// maxGradNorm null (or +inf) skips clipping but still reports the norm; schedule null keeps the groups' lr.
    /// </summary>
    public static StepStats Run(Tensor loss, AdamW optimizer, double? maxGradNorm = 1.0, CosineSchedule? schedule = null, long step = 0)
    {
        optimizer.zero_grad();
        loss.backward();
        var parameters = optimizer.parameters().ToList();
        var norm = torch.nn.utils.clip_grad_norm_(parameters, maxGradNorm ?? double.PositiveInfinity);
        var lr = schedule?.Apply(optimizer, step) ?? optimizer.ParamGroups.First().LearningRate;
        optimizer.step();
        double value;
        using (torch.NewDisposeScope()) value = loss.detach().to(ScalarType.Float64).item<double>();
        return new StepStats(value, norm, lr);
    }
}
