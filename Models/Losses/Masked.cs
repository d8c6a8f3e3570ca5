using TorchSharp;
using static TorchSharp.torch;
using static AkkaRlhf.Models.Scalars;

namespace AkkaRlhf.Models.Losses;

/// <summary>
/// Reductions over the valid tokens of a batch. A mask is a bool or 0/1 float tensor of the shape of
/// the values, usually (B, T), true/1 on valid response tokens. Masked-out entries are replaced by 0
/// before reducing (<c>masked_fill</c>, not a product), so NaN or inf in padding never leaks in.
/// Every function returns a new tensor that carries autograd.
/// </summary>
public static class Masked
{
    /// <summary>The bool tensor <c>mask != 0</c>.</summary>
    public static Tensor Valid(Tensor mask) => mask.dtype == ScalarType.Bool ? mask.clone() : mask.ne(Zero);

    /// <summary>The mask as 0/1 values of <paramref name="dtype"/>.</summary>
    public static Tensor AsWeights(Tensor mask, ScalarType dtype)
    {
        using var scope = torch.NewDisposeScope();
        return Valid(mask).to(dtype).MoveToOuterDisposeScope();
    }

    /// <summary>The values with masked-out entries set to 0: <c>where(m, x, 0)</c>.</summary>
    public static Tensor Fill(Tensor values, Tensor mask)
    {
        using var scope = torch.NewDisposeScope();
        return values.masked_fill(Valid(mask).logical_not(), Zero).MoveToOuterDisposeScope();
    }

    /// <summary>Number of valid entries, <c>sum(m)</c> (over <paramref name="dim"/> if given), in the values' dtype.</summary>
    public static Tensor Count(Tensor mask, ScalarType dtype, long? dim = null)
    {
        using var scope = torch.NewDisposeScope();
        var w = AsWeights(mask, dtype);
        return (dim is { } d ? w.sum(d) : w.sum()).MoveToOuterDisposeScope();
    }

    /// <summary><c>Sum = sum(m * x)</c>, over everything or over <paramref name="dim"/>.</summary>
    public static Tensor Sum(Tensor values, Tensor mask, long? dim = null)
    {
        using var scope = torch.NewDisposeScope();
        var filled = Fill(values, mask);
        return (dim is { } d ? filled.sum(d) : filled.sum()).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// <c>Mean = sum(m * x) / max(sum(m), 1)</c>, over everything (the token-mean of the whole batch)
    /// or over <paramref name="dim"/>. An empty mask gives 0, not NaN.
    /// </summary>
    public static Tensor Mean(Tensor values, Tensor mask, long? dim = null)
    {
        using var scope = torch.NewDisposeScope();
        var n = Count(mask, values.dtype, dim).clamp_min(One);
        return (Sum(values, mask, dim) / n).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// <c>Var = sum(m (x - Mean)^2) / (n - 1)</c> with n = sum(m) when <paramref name="unbiased"/>
    /// (the default, as torch.var and TRL's masked_var), else divided by n. Over every valid entry.
    /// Throws when n is 0, or 1 with the unbiased form.
    /// </summary>
    public static Tensor Var(Tensor values, Tensor mask, bool unbiased = true)
    {
        using var scope = torch.NewDisposeScope();
        var n = Count(mask, ScalarType.Float64).item<double>();
        if (n < 1) throw new ArgumentException("masked variance of an empty mask", nameof(mask));
        if (unbiased && n < 2) throw new ArgumentException("unbiased masked variance needs at least two valid entries", nameof(mask));
        var centered = values - Mean(values, mask);
        var ss = Sum(centered.pow(Two), mask);
        using var dof = (unbiased ? n - 1 : n).ToScalar();
        return ss.div(dof).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// <c>Whiten = (x - Mean) / (sqrt(Var) + eps)</c> over every valid entry (eps 1e-8, unbiased Var
    /// by default); with <paramref name="shiftMean"/> false the mean is added back (TRL's option).
    /// Masked-out entries of the result are 0.
    /// </summary>
    public static Tensor Whiten(Tensor values, Tensor mask, bool shiftMean = true, bool unbiased = true, double eps = 1e-8)
    {
        using var scope = torch.NewDisposeScope();
        var mean = Mean(values, mask);
        var std = Var(values, mask, unbiased).sqrt();
        using var epsilon = eps.ToScalar();
        var w = (values - mean) / std.add(epsilon, One);                               // (x - mean) / (std + eps)
        if (!shiftMean) w = w.add(mean, One);
        return Fill(w, mask).MoveToOuterDisposeScope();
    }
}
