using static AkkaRlhf.Torch.Native;

namespace AkkaRlhf.Torch;

// Operations on tensors, PyTorch names. Binary ops broadcast as in PyTorch.
public partial class Tensor
{
    private Tensor Unary(Native.Unary op)
    {
        var r = new Tensor(ats_unary(op, Raw()));
        GC.KeepAlive(this);
        return r;
    }

    private Tensor BinaryOp(Native.Binary op, Tensor other)
    {
        var r = new Tensor(ats_binary(op, Raw(), other.Raw()));
        GC.KeepAlive(this);
        GC.KeepAlive(other);
        return r;
    }

    private Tensor ScalarOp(Native.Binary op, double s, bool reverse = false)
    {
        var r = new Tensor(ats_binary_scalar(op, Raw(), s, reverse ? 1 : 0));
        GC.KeepAlive(this);
        return r;
    }

    private Tensor Reduction(Native.Reduce op, long[]? dims, bool keepdim, long correction = 1)
    {
        var r = new Tensor(ats_reduce(op, Raw(), dims, dims?.Length ?? 0, keepdim ? 1 : 0, correction));
        GC.KeepAlive(this);
        return r;
    }

    // ---- operators ----------------------------------------------------------------------------

    public static Tensor operator +(Tensor a, Tensor b) => a.BinaryOp(Native.Binary.Add, b);
    public static Tensor operator +(Tensor a, double s) => a.ScalarOp(Native.Binary.Add, s);
    public static Tensor operator +(double s, Tensor a) => a.ScalarOp(Native.Binary.Add, s);
    public static Tensor operator -(Tensor a, Tensor b) => a.BinaryOp(Native.Binary.Sub, b);
    public static Tensor operator -(Tensor a, double s) => a.ScalarOp(Native.Binary.Sub, s);
    public static Tensor operator -(double s, Tensor a) => a.ScalarOp(Native.Binary.Sub, s, reverse: true);
    public static Tensor operator *(Tensor a, Tensor b) => a.BinaryOp(Native.Binary.Mul, b);
    public static Tensor operator *(Tensor a, double s) => a.ScalarOp(Native.Binary.Mul, s);
    public static Tensor operator *(double s, Tensor a) => a.ScalarOp(Native.Binary.Mul, s);
    public static Tensor operator /(Tensor a, Tensor b) => a.BinaryOp(Native.Binary.Div, b);
    public static Tensor operator /(Tensor a, double s) => a.ScalarOp(Native.Binary.Div, s);
    public static Tensor operator /(double s, Tensor a) => a.ScalarOp(Native.Binary.Div, s, reverse: true);
    public static Tensor operator -(Tensor a) => a.Unary(Native.Unary.Neg);

    // ---- arithmetic ---------------------------------------------------------------------------

    public Tensor add(Tensor other) => BinaryOp(Native.Binary.Add, other);
    public Tensor add(double s) => ScalarOp(Native.Binary.Add, s);
    public Tensor sub(Tensor other) => BinaryOp(Native.Binary.Sub, other);
    public Tensor sub(double s) => ScalarOp(Native.Binary.Sub, s);
    public Tensor mul(Tensor other) => BinaryOp(Native.Binary.Mul, other);
    public Tensor mul(double s) => ScalarOp(Native.Binary.Mul, s);
    public Tensor div(Tensor other) => BinaryOp(Native.Binary.Div, other);
    public Tensor div(double s) => ScalarOp(Native.Binary.Div, s);
    public Tensor pow(Tensor exponent) => BinaryOp(Native.Binary.Pow, exponent);
    public Tensor pow(double exponent) => ScalarOp(Native.Binary.Pow, exponent);
    public Tensor remainder(double s) => ScalarOp(Native.Binary.Remainder, s);
    public Tensor neg() => Unary(Native.Unary.Neg);
    public Tensor matmul(Tensor other) => BinaryOp(Native.Binary.Matmul, other);
    public Tensor maximum(Tensor other) => BinaryOp(Native.Binary.Maximum, other);
    public Tensor minimum(Tensor other) => BinaryOp(Native.Binary.Minimum, other);

    /// <summary>Clamps to [min, max]; a null bound leaves that side open.</summary>
    public Tensor clamp(double? min = null, double? max = null) => new(ats_clamp(this, min ?? double.NaN, max ?? double.NaN));
    public Tensor clamp_min(double min) => clamp(min, null);
    public Tensor clamp_max(double max) => clamp(null, max);

    public Tensor exp() => Unary(Native.Unary.Exp);
    public Tensor log() => Unary(Native.Unary.Log);
    public Tensor log1p() => Unary(Native.Unary.Log1p);
    public Tensor expm1() => Unary(Native.Unary.Expm1);
    public Tensor sqrt() => Unary(Native.Unary.Sqrt);
    public Tensor rsqrt() => Unary(Native.Unary.Rsqrt);
    public Tensor square() => Unary(Native.Unary.Square);
    public Tensor reciprocal() => Unary(Native.Unary.Reciprocal);
    public Tensor abs() => Unary(Native.Unary.Abs);
    public Tensor sign() => Unary(Native.Unary.Sign);
    public Tensor floor() => Unary(Native.Unary.Floor);
    public Tensor ceil() => Unary(Native.Unary.Ceil);
    public Tensor round() => Unary(Native.Unary.Round);
    public Tensor sin() => Unary(Native.Unary.Sin);
    public Tensor cos() => Unary(Native.Unary.Cos);
    public Tensor tanh() => Unary(Native.Unary.Tanh);
    public Tensor sigmoid() => Unary(Native.Unary.Sigmoid);
    public Tensor relu() => Unary(Native.Unary.Relu);

    // ---- comparison and logic (results are Bool tensors) ------------------------------------

    public Tensor eq(Tensor other) => BinaryOp(Native.Binary.Eq, other);
    public Tensor eq(double s) => ScalarOp(Native.Binary.Eq, s);
    public Tensor ne(Tensor other) => BinaryOp(Native.Binary.Ne, other);
    public Tensor ne(double s) => ScalarOp(Native.Binary.Ne, s);
    public Tensor lt(Tensor other) => BinaryOp(Native.Binary.Lt, other);
    public Tensor lt(double s) => ScalarOp(Native.Binary.Lt, s);
    public Tensor le(Tensor other) => BinaryOp(Native.Binary.Le, other);
    public Tensor le(double s) => ScalarOp(Native.Binary.Le, s);
    public Tensor gt(Tensor other) => BinaryOp(Native.Binary.Gt, other);
    public Tensor gt(double s) => ScalarOp(Native.Binary.Gt, s);
    public Tensor ge(Tensor other) => BinaryOp(Native.Binary.Ge, other);
    public Tensor ge(double s) => ScalarOp(Native.Binary.Ge, s);
    public Tensor logical_and(Tensor other) => BinaryOp(Native.Binary.LogicalAnd, other);
    public Tensor logical_or(Tensor other) => BinaryOp(Native.Binary.LogicalOr, other);
    public Tensor logical_not() => Unary(Native.Unary.LogicalNot);
    public Tensor isnan() => Unary(Native.Unary.IsNan);
    public Tensor isfinite() => Unary(Native.Unary.IsFinite);

    /// <summary>Replaces elements where <paramref name="mask"/> is true by <paramref name="value"/>.</summary>
    public Tensor masked_fill(Tensor mask, double value) => new(ats_masked_fill(this, mask, value));

    // ---- reductions ---------------------------------------------------------------------------

    public Tensor sum() => Reduction(Native.Reduce.Sum, null, false);
    public Tensor sum(long dim, bool keepdim = false) => Reduction(Native.Reduce.Sum, [dim], keepdim);
    public Tensor sum(long[] dims, bool keepdim = false) => Reduction(Native.Reduce.Sum, dims, keepdim);
    public Tensor mean() => Reduction(Native.Reduce.Mean, null, false);
    public Tensor mean(long dim, bool keepdim = false) => Reduction(Native.Reduce.Mean, [dim], keepdim);
    public Tensor mean(long[] dims, bool keepdim = false) => Reduction(Native.Reduce.Mean, dims, keepdim);
    public Tensor prod() => Reduction(Native.Reduce.Prod, null, false);
    public Tensor logsumexp(long dim, bool keepdim = false) => Reduction(Native.Reduce.LogSumExp, [dim], keepdim);

    /// <summary>Largest element (0-d tensor).</summary>
    public Tensor max() => Reduction(Native.Reduce.Amax, null, false);

    /// <summary>Smallest element (0-d tensor).</summary>
    public Tensor min() => Reduction(Native.Reduce.Amin, null, false);

    /// <summary>Largest elements along <paramref name="dim"/> with their indices.</summary>
    public (Tensor values, Tensor indices) max(long dim, bool keepdim = false) => MaxMin(dim, keepdim, isMin: false);

    /// <summary>Smallest elements along <paramref name="dim"/> with their indices.</summary>
    public (Tensor values, Tensor indices) min(long dim, bool keepdim = false) => MaxMin(dim, keepdim, isMin: true);

    public Tensor amax(long dim, bool keepdim = false) => Reduction(Native.Reduce.Amax, [dim], keepdim);
    public Tensor amin(long dim, bool keepdim = false) => Reduction(Native.Reduce.Amin, [dim], keepdim);
    public Tensor argmax(long dim, bool keepdim = false) => new(ats_argmax(this, dim, keepdim ? 1 : 0));

    /// <summary>Variance; <paramref name="correction"/> 1 is the unbiased estimator (PyTorch's default).</summary>
    public Tensor var(long[]? dims = null, bool keepdim = false, long correction = 1) => Reduction(Native.Reduce.Var, dims, keepdim, correction);

    /// <summary>Standard deviation; <paramref name="correction"/> 1 is the unbiased estimator (PyTorch's default).</summary>
    public Tensor std(long[]? dims = null, bool keepdim = false, long correction = 1) => Reduction(Native.Reduce.Std, dims, keepdim, correction);

    public Tensor any() => Reduction(Native.Reduce.Any, null, false);
    public Tensor all() => Reduction(Native.Reduce.All, null, false);
    public Tensor any(long dim, bool keepdim = false) => Reduction(Native.Reduce.Any, [dim], keepdim);
    public Tensor all(long dim, bool keepdim = false) => Reduction(Native.Reduce.All, [dim], keepdim);
    public Tensor cumsum(long dim) => new(ats_cumsum(this, dim));

    private (Tensor, Tensor) MaxMin(long dim, bool keepdim, bool isMin)
    {
        Check(ats_max_dim(this, dim, keepdim ? 1 : 0, isMin ? 1 : 0, out var v, out var i));
        return (new Tensor(v), new Tensor(i));
    }

    /// <summary>The k largest (or smallest) elements along <paramref name="dim"/> and their indices.</summary>
    public (Tensor values, Tensor indices) topk(long k, long dim = -1, bool largest = true, bool sorted = true)
    {
        Check(ats_topk(this, k, dim, largest ? 1 : 0, sorted ? 1 : 0, out var v, out var i));
        return (new Tensor(v), new Tensor(i));
    }

    /// <summary>Sorted elements along <paramref name="dim"/> and the permutation that sorts them.</summary>
    public (Tensor values, Tensor indices) sort(long dim = -1, bool descending = false)
    {
        Check(ats_sort(this, dim, descending ? 1 : 0, out var v, out var i));
        return (new Tensor(v), new Tensor(i));
    }

    // ---- shape --------------------------------------------------------------------------------

    private Tensor Shape(Native.ShapeOp op, long[] dims)
    {
        var r = new Tensor(ats_shape_op(op, Raw(), dims, dims.Length));
        GC.KeepAlive(this);
        return r;
    }

    private Tensor DimOp(Native.DimOp op, long dim)
    {
        var r = new Tensor(ats_dim_op(op, Raw(), dim));
        GC.KeepAlive(this);
        return r;
    }

    /// <summary>Same storage, new shape (one dimension may be -1). Needs compatible strides.</summary>
    public Tensor view(params long[] shape) => Shape(Native.ShapeOp.View, shape);

    /// <summary>New shape, copying only when the strides require it.</summary>
    public Tensor reshape(params long[] shape) => Shape(Native.ShapeOp.Reshape, shape);

    public Tensor permute(params long[] dims) => Shape(Native.ShapeOp.Permute, dims);
    public Tensor expand(params long[] shape) => Shape(Native.ShapeOp.Expand, shape);
    public Tensor repeat(params long[] repeats) => Shape(Native.ShapeOp.Repeat, repeats);
    public Tensor squeeze() => Shape(Native.ShapeOp.SqueezeAll, []);
    public Tensor squeeze(long dim) => DimOp(Native.DimOp.Squeeze, dim);
    public Tensor unsqueeze(long dim) => DimOp(Native.DimOp.Unsqueeze, dim);
    public Tensor flatten(long start_dim = 0) => DimOp(Native.DimOp.FlattenFrom, start_dim);
    public Tensor transpose(long dim0, long dim1) => new(ats_transpose(this, dim0, dim1));

    /// <summary>Transpose of a 2-D tensor.</summary>
    public Tensor t() => transpose(0, 1);

    public Tensor contiguous() => Unary(Native.Unary.Contiguous);
    public Tensor clone() => Unary(Native.Unary.Clone);

    /// <summary>A view of <paramref name="length"/> elements of <paramref name="dim"/> from <paramref name="start"/>.</summary>
    public Tensor narrow(long dim, long start, long length) => new(ats_narrow(this, dim, start, length));

    /// <summary>The view <c>t[..., start:end:step, ...]</c> along <paramref name="dim"/>.</summary>
    public Tensor slice(long dim, long start, long end, long step = 1) => new(ats_slice(this, dim, start, end, step));

    /// <summary>The view <c>t[..., index, ...]</c>: dimension <paramref name="dim"/> removed.</summary>
    public Tensor select(long dim, long index) => new(ats_select(this, dim, index));

    public Tensor tril(long diagonal = 0) => DimOp(Native.DimOp.Tril, diagonal);
    public Tensor triu(long diagonal = 0) => DimOp(Native.DimOp.Triu, diagonal);

    public Tensor gather(long dim, Tensor index) => new(ats_gather(this, dim, index));
    public Tensor scatter(long dim, Tensor index, Tensor src) => new(ats_scatter(this, dim, index, src));
    public Tensor index_select(long dim, Tensor index) => new(ats_index_select(this, dim, index));

    public Tensor softmax(long dim) => DimOp(Native.DimOp.Softmax, dim);
    public Tensor log_softmax(long dim) => DimOp(Native.DimOp.LogSoftmax, dim);

    // ---- conversion ---------------------------------------------------------------------------

    /// <summary>Converts the element type (returns this tensor's data in a new tensor unless already of that type).</summary>
    public Tensor to(ScalarType type, bool copy = false) => ToCore(type, device, copy);

    /// <summary>Moves to a device.</summary>
    public Tensor to(Device target, bool copy = false) => ToCore(dtype, target, copy);

    /// <summary>Moves to a device and converts the element type.</summary>
    public Tensor to(Device target, ScalarType type, bool copy = false) => ToCore(type, target, copy);

    public Tensor cpu() => to(Device.CPU);

    private Tensor ToCore(ScalarType type, Device target, bool copy)
    {
        target.EnsureAvailable();
        return new(ats_to(this, (int)type, (int)target.Type, target.Index, copy ? 1 : 0));
    }

    // ---- in place (use under no_grad for leaves that require grad) ----------------------------

    private Tensor Inplace(Native.Inplace op, Tensor? other, double s)
    {
        Check(ats_inplace(op, this, Ptr(other), s));
        GC.KeepAlive(other);
        return this;
    }

    public Tensor copy_(Tensor src) => Inplace(Native.Inplace.Copy, src, 0);
    public Tensor add_(Tensor other, double alpha = 1) => Inplace(Native.Inplace.Add, other, alpha);
    public Tensor add_(double s) => Inplace(Native.Inplace.AddScalar, null, s);
    public Tensor mul_(Tensor other) => Inplace(Native.Inplace.Mul, other, 0);
    public Tensor mul_(double s) => Inplace(Native.Inplace.MulScalar, null, s);
    public Tensor zero_() => Inplace(Native.Inplace.Zero, null, 0);
    public Tensor fill_(double value) => Inplace(Native.Inplace.Fill, null, value);

    /// <summary>Replaces this tensor's data (same object, same autograd identity), e.g. to move a parameter to another device.</summary>
    public void set_data(Tensor data) => Check(ats_set_data(this, data));
}
