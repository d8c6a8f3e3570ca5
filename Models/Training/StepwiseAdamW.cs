using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AkkaRlhf.Models.Training;

/// <summary>
/// TorchSharp's <see cref="AdamW"/> (the same update, the same state and checkpoint format), stepped one parameter at a
/// time. TorchSharp's <c>step</c> keeps every temporary of the update (two of each parameter's size: <c>sqrt(v)</c> and
/// its scaled copy) until the whole step ends, so a step briefly holds twice the model again, in fresh pages; PyTorch
/// frees them parameter by parameter. Here every parameter is its own group (with its group's options) and
/// <see cref="step"/> runs TorchSharp's step once per group: the temporaries of one parameter at a time
/// (GPT-2 small: 2 x 154 MB at most instead of 2 x 498 MB).
/// </summary>
public sealed class StepwiseAdamW : AdamW
{
    /// <summary>The optimizer over <paramref name="groups"/> (e.g. <see cref="OptimizerGroups.DecayNoDecay"/>), one group per parameter.</summary>
    public StepwiseAdamW(IEnumerable<ParamGroup> groups) : base(PerParameter(groups)) { }

    /// <inheritdoc/>
    public override Tensor step(Func<Tensor>? closure = null)
    {
        if (closure is not null) throw new NotSupportedException("StepwiseAdamW takes no closure");
        var all = _parameter_groups.ToList();
        try
        {
            foreach (var group in all)
            {
                _parameter_groups.Clear();
                _parameter_groups.Add(group);
                base.step();                                                                 // its own dispose scope: this parameter's temporaries
            }
        }
        finally
        {
            _parameter_groups.Clear();
            foreach (var group in all) _parameter_groups.Add(group);
        }
        return null!;
    }

    private static IEnumerable<ParamGroup> PerParameter(IEnumerable<ParamGroup> groups) =>
        groups.SelectMany(g => g.Parameters.Select(p => new ParamGroup([p], g.Options.LearningRate!.Value, g.Options.beta1!.Value,
            g.Options.beta2!.Value, g.Options.eps!.Value, g.Options.weight_decay!.Value, g.Options.amsgrad!.Value, g.Options.maximize!.Value))).ToList();
}
