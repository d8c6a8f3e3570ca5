namespace AkkaRlhf.Torch;

/// <summary>
/// A group of parameters sharing AdamW hyper-parameters (torch.optim param_groups). <see cref="lr"/>
/// is mutable so schedules can set it each step.
/// </summary>
public sealed class ParamGroup(IEnumerable<Parameter> parameters, double lr = 1e-3, double weight_decay = 1e-2,
    double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8)
{
    public IReadOnlyList<Parameter> parameters { get; } = parameters.ToList();
    public double lr { get; set; } = lr;
    public double weight_decay { get; set; } = weight_decay;
    public double beta1 { get; } = beta1;
    public double beta2 { get; } = beta2;
    public double eps { get; } = eps;
}

/// <summary>
/// AdamW (Loshchilov and Hutter), exactly as torch.optim.AdamW: for each parameter with a gradient g,
/// <code>
/// p  = p * (1 - lr * wd)
/// m  = b1 m + (1 - b1) g ;  v = b2 v + (1 - b2) g^2
/// p  = p - lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
/// </code>
/// The default weight decay is 1e-2 (PyTorch's default). The update of a group runs in one native call.
/// </summary>
public sealed class AdamW : IDisposable
{
    private readonly List<GroupState> groups = [];

    /// <summary>One group with the given hyper-parameters.</summary>
    public AdamW(IEnumerable<Parameter> parameters, double lr = 1e-3, double weight_decay = 1e-2,
        double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8)
        : this([new ParamGroup(parameters, lr, weight_decay, beta1, beta2, eps)]) { }

    /// <summary>Several groups; every parameter must belong to exactly one.</summary>
    public AdamW(IEnumerable<ParamGroup> paramGroups)
    {
        var seen = new HashSet<Parameter>(ReferenceEqualityComparer.Instance);
        foreach (var g in paramGroups)
        {
            foreach (var p in g.parameters)
                if (!seen.Add(p)) throw new ArgumentException("a parameter appears in more than one AdamW parameter group");
            groups.Add(new GroupState(g));
        }
    }

    /// <summary>The parameter groups, in order.</summary>
    public IReadOnlyList<ParamGroup> param_groups => groups.Select(g => g.Group).ToList();

    /// <summary>Applies one update to every parameter that has a gradient.</summary>
    public unsafe void step()
    {
        foreach (var g in groups)
        {
            var p = g.Group;
            fixed (long* steps = g.Steps)
                Native.Check(Native.ats_adamw_step(Tensor.Ptrs(p.parameters), Tensor.Ptrs(g.ExpAvg), Tensor.Ptrs(g.ExpAvgSq), steps,
                    p.parameters.Count, p.lr, p.beta1, p.beta2, p.eps, p.weight_decay));
            GC.KeepAlive(g);
        }
    }

    /// <summary>Clears every gradient (set to none).</summary>
    public void zero_grad()
    {
        foreach (var g in groups)
            foreach (var p in g.Group.parameters) p.grad = null;
    }

    /// <summary>
    /// Optimizer state by name ("{group}.{index}.exp_avg", ".exp_avg_sq", ".step"): the tensors are
    /// copies on the CPU, ready to be written to a checkpoint.
    /// </summary>
    public Dictionary<string, Tensor> state_dict()
    {
        var d = new Dictionary<string, Tensor>();
        for (var gi = 0; gi < groups.Count; gi++)
        {
            var g = groups[gi];
            for (var i = 0; i < g.Steps.Length; i++)
            {
                d[$"{gi}.{i}.exp_avg"] = g.ExpAvg[i].to(Device.CPU, copy: true);
                d[$"{gi}.{i}.exp_avg_sq"] = g.ExpAvgSq[i].to(Device.CPU, copy: true);
                d[$"{gi}.{i}.step"] = torch.tensor(new[] { g.Steps[i] });
            }
        }
        return d;
    }

    /// <summary>Restores state written by <see cref="state_dict"/>; the layout must match this optimizer's groups.</summary>
    public void load_state_dict(IReadOnlyDictionary<string, Tensor> state)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        for (var gi = 0; gi < groups.Count; gi++)
        {
            var g = groups[gi];
            for (var i = 0; i < g.Steps.Length; i++)
            {
                Tensor Get(string k) => state.TryGetValue(k, out var t) ? t : throw new ArgumentException($"optimizer state lacks \"{k}\"");
                var (m, v) = (Get($"{gi}.{i}.exp_avg"), Get($"{gi}.{i}.exp_avg_sq"));
                if (!m.shape.SequenceEqual(g.ExpAvg[i].shape) || !v.shape.SequenceEqual(g.ExpAvgSq[i].shape))
                    throw new ArgumentException($"optimizer state {gi}.{i}: shape [{string.Join(", ", m.shape)}] does not match parameter [{string.Join(", ", g.ExpAvg[i].shape)}]");
                g.ExpAvg[i].copy_(m);
                g.ExpAvgSq[i].copy_(v);
                g.Steps[i] = Get($"{gi}.{i}.step").item_long();
            }
        }
    }

    /// <summary>Frees the optimizer state.</summary>
    public void Dispose()
    {
        foreach (var g in groups)
            foreach (var t in g.ExpAvg.Concat(g.ExpAvgSq)) t.Dispose();
    }

    private sealed class GroupState
    {
        public readonly ParamGroup Group;
        public readonly Tensor[] ExpAvg;
        public readonly Tensor[] ExpAvgSq;
        public readonly long[] Steps;

        public GroupState(ParamGroup group)
        {
            Group = group;
            ExpAvg = group.parameters.Select(p => torch.zeros_like(p).DetachFromDisposeScope()).ToArray();
            ExpAvgSq = group.parameters.Select(p => torch.zeros_like(p).DetachFromDisposeScope()).ToArray();
            Steps = new long[group.parameters.Count];
        }
    }
}
