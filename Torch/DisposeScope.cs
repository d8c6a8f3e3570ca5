namespace AkkaRlhf.Torch;

/// <summary>
/// Collects every tensor created while it is the current scope and disposes them together:
/// <code>using (torch.NewDisposeScope()) { ... }</code>
/// Keep a result with <see cref="Tensor.MoveToOuterDisposeScope"/> or
/// <see cref="Tensor.DetachFromDisposeScope"/>. Scopes nest and flow with async code (AsyncLocal).
/// </summary>
public sealed class DisposeScope : IDisposable
{
    private static readonly AsyncLocal<DisposeScope?> current = new();
    private readonly HashSet<Tensor> tensors = new(ReferenceEqualityComparer.Instance);
    private bool disposed;

    internal DisposeScope()
    {
        Outer = current.Value;
        current.Value = this;
    }

    /// <summary>The innermost open scope of this flow, if any.</summary>
    public static DisposeScope? Current => current.Value;

    /// <summary>The scope that was current when this one opened.</summary>
    public DisposeScope? Outer { get; }

    /// <summary>Tensors this scope will dispose.</summary>
    public int Count => tensors.Count;

    /// <summary>Adds tensors created elsewhere to this scope.</summary>
    public void Include(params Tensor[] ts)
    {
        foreach (var t in ts)
        {
            t.DetachFromDisposeScope();
            Attach(t);
        }
    }

    internal void Attach(Tensor t)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        tensors.Add(t);
        t.Scope = this;
    }

    internal void Forget(Tensor t) => tensors.Remove(t);

    /// <summary>Disposes every tensor still owned by the scope and restores the outer scope.</summary>
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        foreach (var t in tensors)
        {
            t.Scope = null;
            t.Dispose();
        }
        tensors.Clear();
        if (current.Value == this) current.Value = Outer;
    }
}
