using TorchSharp;
using TorchSharp.Modules;
using static AkkaRlhf.Models.Scalars;
using static TorchSharp.torch;

namespace AkkaRlhf.Models.Training;

/// <summary>
/// TorchSharp's <see cref="AdamW"/> (the same update, the same state and checkpoint format), stepped one parameter at a
/// time, with its numbers held. TorchSharp's <c>step</c> keeps every temporary of the update (two of each parameter's
/// size: <c>sqrt(v)</c> and its scaled copy) until the whole step ends, so a step briefly holds twice the model again, in
/// fresh pages; PyTorch frees them parameter by parameter. Here every parameter is its own group (with its group's
/// options) and <see cref="step"/> frees each parameter's temporaries before the next (GPT-2 small: 2 x 154 MB at most
/// instead of 2 x 498 MB). And TorchSharp's update passes its betas, decay, epsilon and step size to libtorch as
/// Scalars made on the fly, which a collection may free while libtorch reads them (docs/models.md, "Numbers meeting
/// tensors"); <see cref="Update"/> is the same update, op for op, with each number held for the call.
/// </summary>
public sealed class StepwiseAdamW : AdamW
{
    /// <summary>The optimizer over <paramref name="groups"/> (e.g. <see cref="OptimizerGroups.DecayNoDecay"/>), one group per parameter.</summary>
    public StepwiseAdamW(IEnumerable<ParamGroup> groups) : base(PerParameter(groups)) { }

    /// <inheritdoc/>
    public override Tensor step(Func<Tensor>? closure = null)
    {
        if (closure is not null) throw new NotSupportedException("StepwiseAdamW takes no closure");
        using var noGrad = no_grad();
        foreach (var group in _parameter_groups)
            foreach (var param in group.Parameters)
            {
                using var scope = NewDisposeScope();                                        // this parameter's temporaries
                Update(param, (State)_state[param.Handle], (Options)group.Options);
            }
        return null!;
    }

    /// <summary>
    /// AdamW (Loshchilov and Hutter), as TorchSharp 0.107 and PyTorch write it, for one parameter p with gradient g at step t:
    /// p *= 1 - lr wd; m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2 (amsgrad: v_max = max(v_max, v), used below);
    /// p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps).
    /// </summary>
    private static void Update(Parameter param, State state, Options options)
    {
        var grad = param.grad;
        if (grad is null) return;
        if (options.maximize!.Value) grad = grad.neg();
        state.step += 1;
        var (lr, beta1, beta2, eps) = (options.LearningRate!.Value, options.beta1!.Value, options.beta2!.Value, options.eps!.Value);

        using var decay = (1 - lr * options.weight_decay!.Value).ToScalar();
        param.mul_(decay);

        using var b1 = beta1.ToScalar();
        using var rest1 = (1 - beta1).ToScalar();
        using var b2 = beta2.ToScalar();
        using var rest2 = (1 - beta2).ToScalar();
        state.exp_avg.mul_(b1).add_(grad, rest1);
        state.exp_avg_sq.mul_(b2).addcmul_(grad, grad, rest2);

        var second = state.exp_avg_sq;
        if (options.amsgrad!.Value)
        {
            var previous = state.max_exp_avg_sq;
            state.max_exp_avg_sq = maximum(previous, state.exp_avg_sq).DetachFromDisposeScope();
            previous.Dispose();
            second = state.max_exp_avg_sq;
        }
        using var correction2 = Math.Sqrt(1 - Math.Pow(beta2, state.step)).ToScalar();
        using var epsilon = eps.ToScalar();
        var denom = second.sqrt().div(correction2).add_(epsilon, One);

        using var stepSize = (-(lr / (1 - Math.Pow(beta1, state.step)))).ToScalar();
        param.addcdiv_(state.exp_avg, denom, stepSize);
    }

    private static IEnumerable<ParamGroup> PerParameter(IEnumerable<ParamGroup> groups) =>
        groups.SelectMany(g => g.Parameters.Select(p => new ParamGroup([p], g.Options.LearningRate!.Value, g.Options.beta1!.Value,
            g.Options.beta2!.Value, g.Options.eps!.Value, g.Options.weight_decay!.Value, g.Options.amsgrad!.Value, g.Options.maximize!.Value))).ToList();
}
