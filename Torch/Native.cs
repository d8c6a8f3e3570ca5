using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace AkkaRlhf.Torch;

/// <summary>
/// The flat C API of the native shim (Torch/native/akkatorch.cpp). Every call that can fail returns
/// a null handle or -1 and leaves a thread-local message; <see cref="Check(int)"/> and
/// <see cref="Check(IntPtr)"/> turn it into a <see cref="TorchException"/> (the one error path).
/// Op codes mirror the enums of the C++ file.
/// </summary>
internal static partial class Native
{
    private const string Lib = "akkatorch";

    internal enum Fill { Empty, Zeros, Ones, Rand, Randn }

    internal enum Unary
    {
        Neg, Exp, Log, Sqrt, Rsqrt, Abs, Tanh, Sigmoid, Relu, LogSigmoid, Sign, LogicalNot, IsNan,
        IsFinite, Floor, Log1p, Expm1, Square, Reciprocal, Gelu, GeluTanh, Contiguous, Clone, Detach,
        Sin, Cos, Round, Ceil, Silu,
    }

    internal enum Binary
    {
        Add, Sub, Mul, Div, Pow, Maximum, Minimum, Eq, Ne, Lt, Le, Gt, Ge, LogicalAnd, LogicalOr,
        Matmul, Remainder,
    }

    internal enum Inplace { Copy, Add, Mul, Zero, Fill, MulScalar, AddScalar }

    internal enum Reduce { Sum, Mean, LogSumExp, Amax, Amin, Prod, Var, Std, Any, All }

    internal enum ShapeOp { View, Reshape, Permute, Expand, Repeat, SqueezeAll }

    internal enum DimOp { Squeeze, Unsqueeze, Softmax, LogSoftmax, Tril, Triu, FlattenFrom }

    static Native() => NativeLibrary.SetDllImportResolver(typeof(Native).Assembly, Resolve);

    /// <summary>
    /// Finds libakkatorch.so: $AKKA_RLHF_NATIVE, beside this assembly, then the folder the shim was
    /// built in (recorded at build time), then the default search path.
    /// </summary>
    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? path)
    {
        if (name != Lib) return IntPtr.Zero;
        var candidates = new List<string>();
        var env = Environment.GetEnvironmentVariable("AKKA_RLHF_NATIVE");
        if (!string.IsNullOrEmpty(env)) candidates.Add(env);
        candidates.Add(Path.Combine(AppContext.BaseDirectory, "libakkatorch.so"));
        var built = assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "AkkaRlhf.NativeBuildDir")?.Value;
        if (built != null) candidates.Add(Path.Combine(built, "libakkatorch.so"));
        foreach (var c in candidates)
            if (File.Exists(c)) return NativeLibrary.Load(c);
        if (NativeLibrary.TryLoad("libakkatorch.so", assembly, path, out var h)) return h;
        throw new DllNotFoundException(
            "libakkatorch.so not found (looked in: " + string.Join(", ", candidates) +
            "). Build it with scripts/setup.sh, or set AKKA_RLHF_NATIVE to its path.");
    }

    // ---- error path -------------------------------------------------------------------------

    [LibraryImport(Lib)] private static partial IntPtr ats_last_error();
    [LibraryImport(Lib)] private static partial void ats_clear_error();

    internal static TorchException LastError()
    {
        var p = ats_last_error();
        var msg = p == IntPtr.Zero ? "native call failed without a message" : Marshal.PtrToStringUTF8(p)!;
        ats_clear_error();
        return new TorchException(msg);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Check(int status)
    {
        if (status != 0) throw LastError();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static IntPtr Check(IntPtr handle) => handle == IntPtr.Zero ? throw LastError() : handle;

    // ---- settings ---------------------------------------------------------------------------

    [LibraryImport(Lib)] internal static partial int ats_set_num_threads(int n);
    [LibraryImport(Lib)] internal static partial int ats_get_num_threads();
    [LibraryImport(Lib)] internal static partial int ats_cuda_is_available();
    [LibraryImport(Lib)] internal static partial int ats_cuda_device_count();
    [LibraryImport(Lib)] internal static partial int ats_manual_seed(ulong seed);
    [LibraryImport(Lib)] internal static partial int ats_grad_set_enabled(int enabled);
    [LibraryImport(Lib)] internal static partial int ats_grad_is_enabled();

    // ---- lifetime and metadata --------------------------------------------------------------

    [LibraryImport(Lib)] internal static partial void ats_free(IntPtr t);
    [LibraryImport(Lib)] internal static partial void ats_free_string(IntPtr s);
    [LibraryImport(Lib)] internal static partial int ats_dim(Tensor t);
    [LibraryImport(Lib)] internal static unsafe partial int ats_shape(Tensor t, long* shape);
    [LibraryImport(Lib)] internal static partial long ats_numel(Tensor t);
    [LibraryImport(Lib)] internal static partial int ats_dtype(Tensor t);
    [LibraryImport(Lib)] internal static partial int ats_device_type(Tensor t);
    [LibraryImport(Lib)] internal static partial int ats_device_index(Tensor t);
    [LibraryImport(Lib)] internal static partial int ats_requires_grad(Tensor t);
    [LibraryImport(Lib)] internal static partial int ats_set_requires_grad(Tensor t, int r);
    [LibraryImport(Lib)] internal static partial int ats_is_contiguous(Tensor t);
    [LibraryImport(Lib)] internal static partial int ats_is_leaf(Tensor t);
    [LibraryImport(Lib)] internal static partial IntPtr ats_to_string(Tensor t);

    // ---- creation and transfer --------------------------------------------------------------

    [LibraryImport(Lib)]
    internal static unsafe partial IntPtr ats_from_data(void* data, long nbytes, long[] shape, int ndim, int dtype,
        int deviceType, int deviceIndex, int requiresGrad);

    [LibraryImport(Lib)] internal static unsafe partial int ats_copy_to_buffer(Tensor t, void* dst, long nbytes);

    [LibraryImport(Lib)]
    internal static partial IntPtr ats_new(Fill kind, long[] shape, int ndim, int dtype, int deviceType,
        int deviceIndex, IntPtr generator, int requiresGrad);

    [LibraryImport(Lib)]
    internal static partial IntPtr ats_full(long[] shape, int ndim, double value, int dtype, int deviceType, int deviceIndex);

    [LibraryImport(Lib)]
    internal static partial IntPtr ats_randint(long low, long high, long[] shape, int ndim, int dtype, int deviceType,
        int deviceIndex, IntPtr generator);

    [LibraryImport(Lib)]
    internal static partial IntPtr ats_arange(double start, double end, double step, int dtype, int deviceType, int deviceIndex);

    [LibraryImport(Lib)] internal static partial IntPtr ats_scalar_tensor(double value, int dtype, int deviceType, int deviceIndex);
    [LibraryImport(Lib)] internal static partial IntPtr ats_to(Tensor t, int dtype, int deviceType, int deviceIndex, int copy);
    [LibraryImport(Lib)] internal static partial int ats_item_double(Tensor t, out double value);
    [LibraryImport(Lib)] internal static partial int ats_item_int64(Tensor t, out long value);

    // ---- element-wise -----------------------------------------------------------------------
    // The hot op families take raw pointers (callers GC.KeepAlive their tensors): SafeHandle
    // marshalling costs two interlocked operations per argument, a third of a tiny op's overhead.

    [LibraryImport(Lib)] internal static partial IntPtr ats_unary(Unary op, IntPtr a);
    [LibraryImport(Lib)] internal static partial IntPtr ats_binary(Binary op, IntPtr a, IntPtr b);
    [LibraryImport(Lib)] internal static partial IntPtr ats_binary_scalar(Binary op, IntPtr a, double s, int reverse);
    [LibraryImport(Lib)] internal static partial int ats_inplace(Inplace op, Tensor a, IntPtr b, double s);
    [LibraryImport(Lib)] internal static partial IntPtr ats_clamp(Tensor a, double lo, double hi);
    [LibraryImport(Lib)] internal static partial IntPtr ats_where(Tensor cond, Tensor a, Tensor b);
    [LibraryImport(Lib)] internal static partial IntPtr ats_masked_fill(Tensor a, Tensor mask, double value);

    // ---- reductions -------------------------------------------------------------------------

    [LibraryImport(Lib)]
    internal static partial IntPtr ats_reduce(Reduce op, IntPtr a, long[]? dims, int ndim, int keepdim, long correction);

    [LibraryImport(Lib)]
    internal static partial int ats_max_dim(Tensor a, long dim, int keepdim, int isMin, out IntPtr values, out IntPtr indices);

    [LibraryImport(Lib)] internal static partial IntPtr ats_argmax(Tensor a, long dim, int keepdim);
    [LibraryImport(Lib)] internal static partial IntPtr ats_cumsum(Tensor a, long dim);

    [LibraryImport(Lib)]
    internal static partial int ats_topk(Tensor a, long k, long dim, int largest, int sorted, out IntPtr values, out IntPtr indices);

    [LibraryImport(Lib)]
    internal static partial int ats_sort(Tensor a, long dim, int descending, out IntPtr values, out IntPtr indices);

    // ---- shape and indexing -----------------------------------------------------------------

    [LibraryImport(Lib)] internal static partial IntPtr ats_shape_op(ShapeOp op, IntPtr a, long[] dims, int ndim);
    [LibraryImport(Lib)] internal static partial IntPtr ats_dim_op(DimOp op, IntPtr a, long dim);
    [LibraryImport(Lib)] internal static partial IntPtr ats_transpose(Tensor a, long d0, long d1);
    [LibraryImport(Lib)] internal static partial IntPtr ats_narrow(Tensor a, long dim, long start, long length);
    [LibraryImport(Lib)] internal static partial IntPtr ats_slice(Tensor a, long dim, long start, long end, long step);
    [LibraryImport(Lib)] internal static partial IntPtr ats_select(Tensor a, long dim, long index);
    [LibraryImport(Lib)] internal static partial IntPtr ats_cat(IntPtr[] ts, int n, long dim);
    [LibraryImport(Lib)] internal static partial IntPtr ats_stack(IntPtr[] ts, int n, long dim);
    [LibraryImport(Lib)] internal static partial IntPtr ats_gather(Tensor a, long dim, Tensor index);
    [LibraryImport(Lib)] internal static partial IntPtr ats_scatter(Tensor a, long dim, Tensor index, Tensor src);
    [LibraryImport(Lib)] internal static partial IntPtr ats_index_select(Tensor a, long dim, Tensor index);

    // ---- nn ---------------------------------------------------------------------------------

    [LibraryImport(Lib)] internal static partial IntPtr ats_linear(Tensor x, Tensor w, IntPtr b);
    [LibraryImport(Lib)] internal static partial IntPtr ats_embedding(Tensor weight, Tensor indices);

    [LibraryImport(Lib)]
    internal static partial IntPtr ats_layer_norm(Tensor x, long[] shape, int ndim, IntPtr w, IntPtr b, double eps);

    [LibraryImport(Lib)] internal static partial IntPtr ats_dropout(Tensor x, double p, int training, IntPtr generator);
    [LibraryImport(Lib)] internal static partial IntPtr ats_multinomial(Tensor probs, long n, int replacement, IntPtr generator);

    // ---- autograd and optimisation ----------------------------------------------------------

    [LibraryImport(Lib)] internal static partial int ats_backward(Tensor t, IntPtr grad, int retainGraph, int createGraph);
    [LibraryImport(Lib)] internal static partial int ats_grad(Tensor t, out IntPtr grad);
    [LibraryImport(Lib)] internal static partial int ats_set_grad(Tensor t, IntPtr grad);
    [LibraryImport(Lib)] internal static partial int ats_clip_grad_norm(IntPtr[] ps, int n, double maxNorm, double normType, out double total);

    [LibraryImport(Lib)]
    internal static unsafe partial int ats_adamw_step(IntPtr[] ps, IntPtr[] expAvg, IntPtr[] expAvgSq, long* steps, int n,
        double lr, double beta1, double beta2, double eps, double weightDecay);

    [LibraryImport(Lib)] internal static partial int ats_set_data(Tensor t, Tensor data);

    // ---- generators -------------------------------------------------------------------------

    [LibraryImport(Lib)] internal static partial IntPtr ats_generator_new(ulong seed);
    [LibraryImport(Lib)] internal static partial void ats_generator_free(IntPtr g);
    [LibraryImport(Lib)] internal static partial int ats_generator_set_seed(GeneratorHandle g, ulong seed);
    [LibraryImport(Lib)] internal static partial IntPtr ats_generator_get_state(GeneratorHandle g);
    [LibraryImport(Lib)] internal static partial int ats_generator_set_state(GeneratorHandle g, Tensor state);
    [LibraryImport(Lib)] internal static partial IntPtr ats_default_generator_get_state();
    [LibraryImport(Lib)] internal static partial int ats_default_generator_set_state(Tensor state);
}
