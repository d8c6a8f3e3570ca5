using static AkkaRlhf.Torch.Native;

namespace AkkaRlhf.Torch;

/// <summary>
/// Entry point with PyTorch names: <c>torch.zeros</c>, <c>torch.tensor</c>, <c>torch.cat</c>,
/// <c>torch.no_grad()</c>, <c>torch.manual_seed</c>, <c>torch.nn.functional</c>.
/// </summary>
public static partial class torch
{
    public const ScalarType uint8 = ScalarType.UInt8;
    public const ScalarType int8 = ScalarType.Int8;
    public const ScalarType int16 = ScalarType.Int16;
    public const ScalarType int32 = ScalarType.Int32;
    public const ScalarType int64 = ScalarType.Int64;
    public const ScalarType float16 = ScalarType.Float16;
    public const ScalarType bfloat16 = ScalarType.BFloat16;
    public const ScalarType float32 = ScalarType.Float32;
    public const ScalarType float64 = ScalarType.Float64;
    public const ScalarType @bool = ScalarType.Bool;

    // ---- runtime settings ---------------------------------------------------------------------

    /// <summary>Seeds libtorch's default generator.</summary>
    public static void manual_seed(ulong seed) => Check(ats_manual_seed(seed));

    /// <summary>Intra-op threads used by libtorch (set it explicitly: the default may be 1).</summary>
    public static void set_num_threads(int n)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        Check(ats_set_num_threads(n));
    }

    public static int get_num_threads() => ats_get_num_threads();

    /// <summary>State of the default generator (UInt8 tensor).</summary>
    public static Tensor get_rng_state() => new(ats_default_generator_get_state());

    /// <summary>Restores the default generator's state.</summary>
    public static void set_rng_state(Tensor state) => Check(ats_default_generator_set_state(state));

    /// <summary>Disables gradient recording until the returned scope is disposed.</summary>
    public static NoGradScope no_grad() => new(false);

    /// <summary>Enables gradient recording until the returned scope is disposed.</summary>
    public static NoGradScope enable_grad() => new(true);

    public static bool is_grad_enabled() => ats_grad_is_enabled() != 0;

    /// <summary>Opens a scope that disposes every tensor created in it.</summary>
    public static DisposeScope NewDisposeScope() => new();

    /// <summary>CUDA availability (false with the CPU build of libtorch).</summary>
    public static class cuda
    {
        public static bool is_available() => ats_cuda_is_available() != 0;
        public static int device_count() => ats_cuda_device_count();
    }

    // ---- creation -----------------------------------------------------------------------------

    /// <summary>A tensor holding a copy of <paramref name="data"/> with the given shape (default: 1-D).</summary>
    public static unsafe Tensor tensor<T>(ReadOnlySpan<T> data, long[]? shape = null, Device? device = null, bool requires_grad = false)
        where T : unmanaged
    {
        shape ??= [data.Length];
        var d = Resolve(device);
        fixed (T* p = data)
            return new(ats_from_data(p, (long)data.Length * sizeof(T), shape, shape.Length, (int)ScalarTypes.Of<T>(),
                (int)d.Type, d.Index, requires_grad ? 1 : 0));
    }

    /// <inheritdoc cref="tensor{T}(ReadOnlySpan{T}, long[], Device?, bool)"/>
    public static Tensor tensor<T>(T[] data, long[]? shape = null, Device? device = null, bool requires_grad = false) where T : unmanaged =>
        tensor((ReadOnlySpan<T>)data, shape, device, requires_grad);

    /// <summary>A 2-D tensor from a rectangular array.</summary>
    public static Tensor tensor<T>(T[,] data, Device? device = null, bool requires_grad = false) where T : unmanaged
    {
        var flat = new T[data.Length];
        var k = 0;
        foreach (var v in data) flat[k++] = v;
        return tensor(flat, [data.GetLength(0), data.GetLength(1)], device, requires_grad);
    }

    /// <summary>A 0-d tensor.</summary>
    public static Tensor scalar_tensor(double value, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        var d = Resolve(device);
        return new(ats_scalar_tensor(value, (int)dtype, (int)d.Type, d.Index));
    }

    /// <summary>A tensor from raw little-endian bytes (safetensors, messages).</summary>
    public static unsafe Tensor frombuffer(ReadOnlySpan<byte> bytes, ScalarType dtype, long[] shape, Device? device = null)
    {
        var d = Resolve(device);
        fixed (byte* p = bytes)
            return new(ats_from_data(p, bytes.Length, shape, shape.Length, (int)dtype, (int)d.Type, d.Index, 0));
    }

    public static Tensor empty(long[] shape, ScalarType dtype = ScalarType.Float32, Device? device = null) =>
        New(Fill.Empty, shape, dtype, device, null, false);

    public static Tensor zeros(long[] shape, ScalarType dtype = ScalarType.Float32, Device? device = null, bool requires_grad = false) =>
        New(Fill.Zeros, shape, dtype, device, null, requires_grad);

    public static Tensor ones(long[] shape, ScalarType dtype = ScalarType.Float32, Device? device = null, bool requires_grad = false) =>
        New(Fill.Ones, shape, dtype, device, null, requires_grad);

    /// <summary>Uniform samples in [0, 1).</summary>
    public static Tensor rand(long[] shape, ScalarType dtype = ScalarType.Float32, Device? device = null, Generator? generator = null) =>
        New(Fill.Rand, shape, dtype, device, generator, false);

    /// <summary>Standard normal samples.</summary>
    public static Tensor randn(long[] shape, ScalarType dtype = ScalarType.Float32, Device? device = null, Generator? generator = null) =>
        New(Fill.Randn, shape, dtype, device, generator, false);

    /// <summary>Uniform integers in [low, high).</summary>
    public static Tensor randint(long low, long high, long[] shape, Device? device = null, Generator? generator = null)
    {
        var d = Resolve(device);
        var t = new Tensor(ats_randint(low, high, shape, shape.Length, (int)ScalarType.Int64, (int)d.Type, d.Index, Generator.Ptr(generator)));
        GC.KeepAlive(generator);
        return t;
    }

    public static Tensor full(long[] shape, double value, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        var d = Resolve(device);
        return new(ats_full(shape, shape.Length, value, (int)dtype, (int)d.Type, d.Index));
    }

    /// <summary>Values start, start+step, ... below end.</summary>
    public static Tensor arange(double start, double end, double step = 1, ScalarType dtype = ScalarType.Int64, Device? device = null)
    {
        var d = Resolve(device);
        return new(ats_arange(start, end, step, (int)dtype, (int)d.Type, d.Index));
    }

    public static Tensor arange(long end, ScalarType dtype = ScalarType.Int64, Device? device = null) => arange(0, end, 1, dtype, device);

    public static Tensor zeros_like(Tensor t) => zeros(t.shape, t.dtype, t.device);
    public static Tensor ones_like(Tensor t) => ones(t.shape, t.dtype, t.device);
    public static Tensor full_like(Tensor t, double value) => full(t.shape, value, t.dtype, t.device);

    private static Tensor New(Fill kind, long[] shape, ScalarType dtype, Device? device, Generator? generator, bool requiresGrad)
    {
        var d = Resolve(device);
        var t = new Tensor(ats_new(kind, shape, shape.Length, (int)dtype, (int)d.Type, d.Index, Generator.Ptr(generator), requiresGrad ? 1 : 0));
        GC.KeepAlive(generator);
        return t;
    }

    private static Device Resolve(Device? device)
    {
        var d = device ?? Device.CPU;
        d.EnsureAvailable();
        return d;
    }

    // ---- combining ----------------------------------------------------------------------------

    /// <summary>Concatenates along an existing dimension.</summary>
    public static Tensor cat(IReadOnlyList<Tensor> tensors, long dim = 0)
    {
        var t = new Tensor(ats_cat(Tensor.Ptrs(tensors), tensors.Count, dim));
        GC.KeepAlive(tensors);
        return t;
    }

    /// <summary>Stacks along a new dimension.</summary>
    public static Tensor stack(IReadOnlyList<Tensor> tensors, long dim = 0)
    {
        var t = new Tensor(ats_stack(Tensor.Ptrs(tensors), tensors.Count, dim));
        GC.KeepAlive(tensors);
        return t;
    }

    /// <summary>Element-wise choice: <paramref name="a"/> where <paramref name="condition"/>, else <paramref name="b"/>.</summary>
    public static Tensor where(Tensor condition, Tensor a, Tensor b) => new(ats_where(condition, a, b));

    public static Tensor matmul(Tensor a, Tensor b) => a.matmul(b);
    public static Tensor maximum(Tensor a, Tensor b) => a.maximum(b);
    public static Tensor minimum(Tensor a, Tensor b) => a.minimum(b);
    public static Tensor exp(Tensor a) => a.exp();
    public static Tensor log(Tensor a) => a.log();
    public static Tensor clamp(Tensor a, double? min = null, double? max = null) => a.clamp(min, max);
    public static Tensor softmax(Tensor a, long dim) => a.softmax(dim);
    public static Tensor log_softmax(Tensor a, long dim) => a.log_softmax(dim);
    public static Tensor logsumexp(Tensor a, long dim, bool keepdim = false) => a.logsumexp(dim, keepdim);

    /// <summary>Draws <paramref name="num_samples"/> indices per row with probabilities proportional to <paramref name="input"/>.</summary>
    public static Tensor multinomial(Tensor input, long num_samples, bool replacement = false, Generator? generator = null)
    {
        var t = new Tensor(ats_multinomial(input, num_samples, replacement ? 1 : 0, Generator.Ptr(generator)));
        GC.KeepAlive(generator);
        return t;
    }
}
