using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AkkaRlhf.Models.Training;

/// <summary>What one optimiser step did: the loss, the gradient norm before clipping, the lr used.</summary>
public sealed record StepStats(double Loss, double GradNorm, double LearningRate);

/// <summary>One optimisation step: zero_grad, backward (of one loss, or of each micro-batch's share), clip_grad_norm_, schedule, AdamW step.</summary>
public static class TrainStep
{
    /// <summary>
    /// <c>zero_grad(); loss.backward(); norm = clip_grad_norm_(params, maxGradNorm); lr = schedule(step); optimizer.step()</c>.
    /// maxGradNorm null (or +inf) skips clipping but still reports the norm; schedule null keeps the groups' lr.
    /// </summary>
    public static StepStats Run(Tensor loss, AdamW optimizer, double? maxGradNorm = 1.0, CosineSchedule? schedule = null, long step = 0) =>
        Run([() => loss], optimizer, maxGradNorm, schedule, step);

    /// <summary>
    /// One step with gradient accumulation: <c>zero_grad()</c>, then for each micro-batch its loss share is computed and
    /// backpropagated at once (its graph freed before the next is built, so only one micro-batch's activations are
    /// held), then clip, schedule and step as above. Each share is the micro-batch's part of the minibatch loss (e.g. a
    /// token mean times the micro-batch's share of the tokens), so the shares add up to the minibatch loss and the
    /// gradient is the minibatch's (up to float rounding). The reported loss is the sum of the shares.
    /// </summary>
    public static StepStats Run(IEnumerable<Func<Tensor>> shares, AdamW optimizer, double? maxGradNorm = 1.0, CosineSchedule? schedule = null, long step = 0)
    {
        optimizer.zero_grad();
        var value = 0.0;
        foreach (var share in shares)
        {
            using var scope = torch.NewDisposeScope();
            var loss = share();
            loss.backward();
            value += loss.detach().to(ScalarType.Float64).item<double>();
        }
        var parameters = optimizer.parameters().ToList();
        var norm = torch.nn.utils.clip_grad_norm_(parameters, maxGradNorm ?? double.PositiveInfinity);
        var lr = schedule?.Apply(optimizer, step) ?? optimizer.ParamGroups.First().LearningRate;
        optimizer.step();
        return new StepStats(value, norm, lr);
    }

    /// <summary><paramref name="loss"/> * <paramref name="weight"/>, or <paramref name="loss"/> itself for weight 1 (no micro-batches: bit for bit as before).</summary>
    public static Tensor Share(Tensor loss, double weight)
    {
        if (weight == 1) return loss;
        using var w = weight.ToScalar();                                                  // explicit: an implicit Scalar may be finalized mid-call
        return loss.mul(w);
    }
}
