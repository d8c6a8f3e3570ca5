using TorchSharp;

namespace AkkaRlhf.Models;

/// <summary>
/// Numbers as libtorch reads them, alive for as long as it reads them.
///
/// TorchSharp 0.107 makes a <see cref="Scalar"/> on the fly wherever a number meets a tensor (the 0.5 of
/// <c>x * 0.5</c>, the bounds of <c>x.clamp(-e, e)</c>, the start and step of <c>arange(T)</c>, the alpha = 1
/// of <c>x + y</c>, the 2 of <c>x.square()</c>) and passes its handle to libtorch; from then on the managed
/// Scalar is garbage, and a collection during the native call lets the finalizer free the c10::Scalar that
/// libtorch is still reading ("Expected false to be true" from Scalar::toFloat, seen in a cluster run). So in
/// this product a number meets a tensor only as a Scalar that outlives the call: one of these constants
/// (static, never finalized), or a <c>using var s = value.ToScalar();</c> for a value known at run time; a sum
/// of tensors is <c>x.add(y, One)</c>, a square <c>x.pow(Two)</c>. <c>ScalarLifetimeSpecs</c>
/// (tests/AkkaRlhf.Build.Tests) reads the compiled product and names every call that breaks this rule.
/// </summary>
public static class Scalars
{
    /// <summary>Integer constants: they keep an integer tensor's dtype and promote to a float tensor's.</summary>
    public static readonly Scalar Zero = 0.ToScalar(), One = 1.ToScalar(), Two = 2.ToScalar(), MinusOne = (-1).ToScalar();

    /// <summary>0.5, for halves (<c>0.5 * mean square</c>).</summary>
    public static readonly Scalar OneHalf = 0.5.ToScalar();

    /// <summary>Minus infinity, for logits that must never be drawn.</summary>
    public static readonly Scalar NegativeInfinity = double.NegativeInfinity.ToScalar();

    /// <summary>
    /// <c>torch.arange(start, stop)</c>, int64, with its Scalars held (TorchSharp's <c>arange(stop)</c> and
    /// <c>arange(start, stop)</c> make the start and step on the fly).
    /// </summary>
    public static torch.Tensor Arange(long start, long stop, torch.Device? device = null)
    {
        using var from = start.ToScalar();
        using var to = stop.ToScalar();
        return torch.arange(from, to, One, torch.ScalarType.Int64, device);
    }
}
