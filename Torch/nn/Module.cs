namespace AkkaRlhf.Torch;

/// <summary>
/// Base of every network (torch.nn.Module): named parameters, buffers and submodules registered in
/// order, a <see cref="state_dict"/> with dotted names, train/eval mode and device moves.
/// </summary>
public abstract class Module : IDisposable
{
    private readonly List<(string Name, Parameter? Value)> _parameters = [];
    private readonly List<(string Name, Tensor Value, bool Persistent)> _buffers = [];
    private readonly List<(string Name, Module Value)> _modules = [];

    /// <summary>True in training mode (dropout active); see <see cref="train"/> and <see cref="eval"/>.</summary>
    public bool training { get; private set; } = true;

    /// <summary>Registers a trainable parameter under <paramref name="name"/> (null registers an absent one, e.g. no bias).</summary>
    protected Parameter? register_parameter(string name, Parameter? p)
    {
        CheckName(name);
        _parameters.Add((name, p));
        return p;
    }

    /// <summary>Registers a non-trainable tensor (e.g. a mask); persistent buffers appear in <see cref="state_dict"/>.</summary>
    protected Tensor register_buffer(string name, Tensor t, bool persistent = true)
    {
        CheckName(name);
        t.DetachFromDisposeScope();
        _buffers.Add((name, t, persistent));
        return t;
    }

    /// <summary>Registers a child module; its names are prefixed with <paramref name="name"/> and a dot.</summary>
    protected T register_module<T>(string name, T module) where T : Module
    {
        CheckName(name);
        _modules.Add((name, module));
        return module;
    }

    private void CheckName(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Contains('.'))
            throw new ArgumentException($"bad name \"{name}\": must be non-empty and contain no '.'", nameof(name));
        if (_parameters.Any(p => p.Name == name) || _buffers.Any(b => b.Name == name) || _modules.Any(m => m.Name == name))
            throw new ArgumentException($"\"{name}\" is already registered in {GetType().Name}", nameof(name));
    }

    /// <summary>Direct children in registration order.</summary>
    public IEnumerable<(string name, Module module)> named_children() => _modules.Select(m => (m.Name, m.Value));

    /// <summary>This module ("") and every descendant, with dotted names.</summary>
    public IEnumerable<(string name, Module module)> named_modules(string prefix = "")
    {
        yield return (prefix, this);
        foreach (var (n, m) in _modules)
            foreach (var x in m.named_modules(Join(prefix, n)))
                yield return x;
    }

    /// <summary>Every parameter with its dotted name, depth first in registration order.</summary>
    public IEnumerable<(string name, Parameter parameter)> named_parameters(bool recurse = true)
    {
        foreach (var (n, p) in _parameters)
            if (p is not null) yield return (n, p);
        if (!recurse) yield break;
        foreach (var (mn, m) in _modules)
            foreach (var (n, p) in m.named_parameters())
                yield return (mn + "." + n, p);
    }

    /// <summary>Every parameter.</summary>
    public IEnumerable<Parameter> parameters() => named_parameters().Select(x => x.parameter);

    /// <summary>Every buffer with its dotted name.</summary>
    public IEnumerable<(string name, Tensor buffer)> named_buffers(bool persistentOnly = false)
    {
        foreach (var (n, b, persistent) in _buffers)
            if (persistent || !persistentOnly) yield return (n, b);
        foreach (var (mn, m) in _modules)
            foreach (var (n, b) in m.named_buffers(persistentOnly))
                yield return (mn + "." + n, b);
    }

    /// <summary>
    /// Parameters and persistent buffers by dotted name, in registration order. The tensors are the
    /// module's own (not copies): clone them to keep a snapshot.
    /// </summary>
    public Dictionary<string, Tensor> state_dict()
    {
        var d = new Dictionary<string, Tensor>();
        foreach (var (n, p) in named_parameters()) d[n] = p;
        foreach (var (n, b) in named_buffers(persistentOnly: true)) d[n] = b;
        return d;
    }

    /// <summary>
    /// Copies values from <paramref name="source"/> into this module's tensors (converted to their
    /// dtype and device). With <paramref name="strict"/>, missing or unexpected keys are an error;
    /// a shape mismatch always is. Returns the missing and unexpected keys.
    /// </summary>
    public (IReadOnlyList<string> missing, IReadOnlyList<string> unexpected) load_state_dict(
        IReadOnlyDictionary<string, Tensor> source, bool strict = true)
    {
        var own = state_dict();
        var missing = own.Keys.Where(k => !source.ContainsKey(k)).ToList();
        var unexpected = source.Keys.Where(k => !own.ContainsKey(k)).ToList();
        if (strict && (missing.Count > 0 || unexpected.Count > 0))
            throw new ArgumentException($"state_dict does not match {GetType().Name}: missing [{string.Join(", ", missing)}], unexpected [{string.Join(", ", unexpected)}]");
        foreach (var (k, dst) in own)
        {
            if (!source.TryGetValue(k, out var src)) continue;
            var (a, b) = (dst.shape, src.shape);
            if (!a.SequenceEqual(b))
                throw new ArgumentException($"state_dict entry \"{k}\": shape [{string.Join(", ", b)}] does not match the module's [{string.Join(", ", a)}]");
        }
        using (torch.no_grad())
        {
            foreach (var (k, dst) in own)
                if (source.TryGetValue(k, out var src)) dst.copy_(src);
        }
        return (missing, unexpected);
    }

    /// <summary>Sets training mode here and in every descendant.</summary>
    public Module train(bool mode = true)
    {
        foreach (var (_, m) in named_modules()) m.training = mode;
        return this;
    }

    /// <summary>Evaluation mode (dropout off).</summary>
    public Module eval() => train(false);

    /// <summary>Moves (or converts) every parameter and buffer in place; parameter objects keep their identity.</summary>
    public Module to(Device device, ScalarType? dtype = null)
    {
        device.EnsureAvailable();
        using var scope = torch.NewDisposeScope();
        foreach (var (_, m) in named_modules())
        {
            foreach (var (_, p) in m._parameters)
                p?.set_data(p.to(device, dtype ?? p.dtype));
            foreach (var (_, b, _) in m._buffers)
                b.set_data(b.to(device, dtype is { } d && b.dtype.IsFloatingPoint() ? d : b.dtype));
        }
        return this;
    }

    /// <summary>Clears every parameter's gradient (set to none).</summary>
    public void zero_grad()
    {
        foreach (var p in parameters()) p.grad = null;
    }

    /// <summary>Frees every parameter and buffer of this module and its descendants.</summary>
    public void Dispose()
    {
        foreach (var (_, m) in _modules) m.Dispose();
        foreach (var (_, p) in _parameters) p?.Dispose();
        foreach (var (_, b, _) in _buffers) b.Dispose();
        GC.SuppressFinalize(this);
    }

    private static string Join(string prefix, string name) => prefix.Length == 0 ? name : prefix + "." + name;
}
