namespace AkkaRlhf.Torch;

/// <summary>
/// A trainable tensor of a <see cref="Module"/>: a leaf that requires grad, owned by its module
/// (never by a dispose scope).
/// </summary>
public sealed class Parameter : Tensor
{
    /// <summary>Wraps <paramref name="data"/> (same storage, cut from any graph) as a parameter.</summary>
    public Parameter(Tensor data, bool requires_grad = true) : base(DetachedCopyOf(data))
    {
        DetachFromDisposeScope();
        this.requires_grad = requires_grad;
    }

    private static IntPtr DetachedCopyOf(Tensor data)
    {
        var r = Native.ats_unary(Native.Unary.Detach, Ptr(data));
        GC.KeepAlive(data);
        return r;
    }
}
