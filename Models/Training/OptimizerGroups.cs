using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AkkaRlhf.Models.Training;

/// <summary>AdamW parameter groups with and without weight decay.</summary>
public static class OptimizerGroups
{
    /// <summary>
    /// nanoGPT's rule: every trainable parameter with <c>dim() &gt;= 2</c> (Linear/Conv-like weights,
    /// embedding tables) decays with <paramref name="weightDecay"/>; every parameter with dim &lt; 2
    /// (biases, LayerNorm scales and shifts) gets weight decay 0. With
    /// <paramref name="decayEmbeddings"/> false, the weights of <see cref="Embedding"/> modules also go
    /// to the no-decay group (minGPT's rule; a weight tied to an embedding follows the embedding).
    /// Parameters shared under several names are listed once; frozen parameters (requires_grad false)
    /// are left out. Returns [decay, noDecay], both with learning rate <paramref name="lr"/>, checked
    /// with <see cref="Validate"/>.
    /// </summary>
    public static IReadOnlyList<AdamW.ParamGroup> DecayNoDecay(nn.Module module, double weightDecay, double lr = 1e-3, bool decayEmbeddings = true)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(weightDecay);
        var embeddingWeights = new HashSet<Parameter>(ReferenceEqualityComparer.Instance);
        if (!decayEmbeddings)
            foreach (var (_, m) in module.named_modules())
                if (m is EmbeddingTable e) embeddingWeights.Add(e.weight);
        var decay = new List<Parameter>();
        var noDecay = new List<Parameter>();
        foreach (var (_, p) in Trainable(module))
        {
            if (p.dim() >= 2 && !embeddingWeights.Contains(p)) decay.Add(p);
            else noDecay.Add(p);
        }
        var groups = new[]
        {
            new AdamW.ParamGroup(decay, lr: lr, weight_decay: weightDecay),
            new AdamW.ParamGroup(noDecay, lr: lr, weight_decay: 0),
        };
        Validate(module, groups);
        return groups;
    }

    /// <summary>
    /// Asserts that every trainable parameter of <paramref name="module"/> is in exactly one group and
    /// that the groups hold nothing else; the error names the offending parameter by its dotted name.
    /// </summary>
    public static void Validate(nn.Module module, IEnumerable<ParamGroup> groups)
    {
        var names = new Dictionary<Parameter, string>(ReferenceEqualityComparer.Instance);
        foreach (var (n, p) in Trainable(module)) names[p] = n;
        var seen = new Dictionary<Parameter, int>(ReferenceEqualityComparer.Instance);
        var gi = 0;
        foreach (var g in groups)
        {
            foreach (var p in g.Parameters)
            {
                if (!names.TryGetValue(p, out var name))
                    throw new ArgumentException($"parameter group {gi} holds a tensor of shape [{string.Join(", ", p.shape)}] that is not a trainable parameter of {module.GetType().Name}");
                if (seen.TryGetValue(p, out var first))
                    throw new ArgumentException($"parameter \"{name}\" is in two parameter groups ({first} and {gi})" + (first == gi ? " (listed twice)" : ""));
                seen[p] = gi;
            }
            gi++;
        }
        foreach (var (p, name) in names)
            if (!seen.ContainsKey(p))
                throw new ArgumentException($"parameter \"{name}\" is in no parameter group");
    }

    private static IEnumerable<(string name, Parameter parameter)> Trainable(nn.Module module)
    {
        var seen = new HashSet<Parameter>(ReferenceEqualityComparer.Instance);
        foreach (var (n, p) in module.named_parameters())
            if (p.requires_grad && seen.Add(p)) yield return (n, p);
    }
}
