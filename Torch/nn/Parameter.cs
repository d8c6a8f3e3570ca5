namespace AkkaRlhf.Torch;

/// <summary>
/// A trainable tensor of a <see cref="Module"/>: a leaf that requires grad, owned by its module
/// (never by a dispose scope).
/// </summary>
public sealed class Parameter : Tensor
{
    /// <summary>Wraps <paramref name="data"/> (same storage, cut from any graph) as a parameter.</summary>
    public Parameter(Tensor data, bool requires_grad = true) : base(Native.ats_unary(Native.Unary.Detach, data.Handle))
    {
        DetachFromDisposeScope();
        this.requires_grad = requires_grad;
    }
}
