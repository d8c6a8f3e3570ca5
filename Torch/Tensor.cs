using System.Runtime.InteropServices;

namespace AkkaRlhf.Torch;

/// <summary>
/// A libtorch tensor. It is itself the SafeHandle that owns the native <c>at::Tensor*</c> (one
/// managed object per tensor): dispose it (or let a <see cref="DisposeScope"/> do it) to free native
/// memory promptly; the finalizer is only a safety net. Method names follow PyTorch
/// (<c>view</c>, <c>sum</c>, <c>log_softmax</c>, ...).
/// </summary>
public partial class Tensor : SafeHandle
{
    private static long live;
    internal DisposeScope? Scope;

    internal Tensor(IntPtr native) : base(IntPtr.Zero, ownsHandle: true)
    {
        SetHandle(Native.Check(native));
        Interlocked.Increment(ref live);
        DisposeScope.Current?.Attach(this);
    }

    /// <summary>Tensors alive in native memory right now (for leak tests).</summary>
    public static long LiveCount => Interlocked.Read(ref live);

    /// <summary>True once disposed.</summary>
    public bool IsDisposed => IsClosed;

    /// <inheritdoc/>
    public override bool IsInvalid => handle == IntPtr.Zero;

    /// <summary>Frees the native tensor (a view keeps its storage alive until its last view is freed).</summary>
    protected override bool ReleaseHandle()
    {
        Native.ats_free(handle);
        Interlocked.Decrement(ref live);
        return true;
    }

    /// <summary>Leaves the dispose scope, then frees the native tensor.</summary>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Scope?.Forget(this);
            Scope = null;
        }
        base.Dispose(disposing);
    }

    // ---- metadata ---------------------------------------------------------------------------

    /// <summary>Number of dimensions.</summary>
    public int dim() => Native.ats_dim(this);

    /// <summary>The sizes of every dimension.</summary>
    public unsafe long[] shape
    {
        get
        {
            var s = new long[dim()];
            fixed (long* p = s) Native.ats_shape(this, p);
            return s;
        }
    }

    /// <summary>Size of dimension <paramref name="d"/> (negative counts from the end).</summary>
    public long size(int d)
    {
        var s = shape;
        return s[d < 0 ? d + s.Length : d];
    }

    /// <summary>Number of elements.</summary>
    public long numel() => Native.ats_numel(this);

    /// <summary>Element type.</summary>
    public ScalarType dtype => ScalarTypes.FromNative(Native.ats_dtype(this));

    /// <summary>Device holding the data.</summary>
    public Device device => new((DeviceType)Native.ats_device_type(this), Native.ats_device_index(this));

    /// <summary>Whether autograd records operations on this tensor.</summary>
    public bool requires_grad
    {
        get => Native.ats_requires_grad(this) != 0;
        set => Native.Check(Native.ats_set_requires_grad(this, value ? 1 : 0));
    }

    /// <summary>Sets <see cref="requires_grad"/> and returns this tensor.</summary>
    public Tensor requires_grad_(bool value = true)
    {
        requires_grad = value;
        return this;
    }

    /// <summary>True if the elements are laid out row-major without gaps.</summary>
    public bool is_contiguous() => Native.ats_is_contiguous(this) != 0;

    /// <summary>True for tensors created by the user (not by an op recorded by autograd).</summary>
    public bool is_leaf => Native.ats_is_leaf(this) != 0;

    // ---- data -------------------------------------------------------------------------------

    /// <summary>The elements, row-major, copied to a new array (moved to CPU if needed).</summary>
    public T[] ToArray<T>() where T : unmanaged
    {
        var want = ScalarTypes.Of<T>();
        if (want != dtype) throw new InvalidOperationException($"tensor has dtype {dtype}, not {want}; convert with to({want}) first");
        var result = new T[numel()];
        CopyTo<T>(result);
        return result;
    }

    /// <summary>Copies the elements, row-major, into <paramref name="destination"/> (exactly numel elements).</summary>
    public unsafe void CopyTo<T>(Span<T> destination) where T : unmanaged
    {
        var bytes = MemoryMarshal.AsBytes(destination);
        fixed (byte* p = bytes) Native.Check(Native.ats_copy_to_buffer(this, p, bytes.Length));
    }

    /// <summary>The raw bytes of the elements, row-major (for serialization).</summary>
    public unsafe byte[] ToBytes()
    {
        var result = new byte[numel() * dtype.ElementSize()];
        fixed (byte* p = result) Native.Check(Native.ats_copy_to_buffer(this, p, result.Length));
        return result;
    }

    /// <summary>The value of a one-element tensor.</summary>
    public double item()
    {
        Native.Check(Native.ats_item_double(this, out var v));
        return v;
    }

    /// <summary>The value of a one-element tensor as an integer.</summary>
    public long item_long()
    {
        Native.Check(Native.ats_item_int64(this, out var v));
        return v;
    }

    /// <summary>Element values printed by libtorch.</summary>
    public string str()
    {
        var p = Native.Check(Native.ats_to_string(this));
        try { return Marshal.PtrToStringUTF8(p)!; }
        finally { Native.ats_free_string(p); }
    }

    /// <inheritdoc/>
    public override string ToString() =>
        IsDisposed ? "Tensor(disposed)" : $"Tensor(shape=[{string.Join(", ", shape)}], dtype={dtype}, device={device})";

    // ---- autograd ---------------------------------------------------------------------------

    /// <summary>Computes gradients of this (scalar) tensor w.r.t. the leaves that require them.</summary>
    public void backward(Tensor? gradient = null, bool retain_graph = false, bool create_graph = false)
    {
        Native.Check(Native.ats_backward(this, Ptr(gradient), retain_graph ? 1 : 0, create_graph ? 1 : 0));
        GC.KeepAlive(gradient);
    }

    /// <summary>The accumulated gradient, or null. Each read returns a new handle to the same gradient.</summary>
    public Tensor? grad
    {
        get
        {
            Native.Check(Native.ats_grad(this, out var g));
            return g == IntPtr.Zero ? null : new Tensor(g);
        }
        set
        {
            Native.Check(Native.ats_set_grad(this, Ptr(value)));
            GC.KeepAlive(value);
        }
    }

    /// <summary>A tensor sharing storage but cut from the autograd graph.</summary>
    public Tensor detach() => Unary(Native.Unary.Detach);

    // ---- dispose scopes ---------------------------------------------------------------------

    /// <summary>Removes this tensor from its dispose scope: the caller now owns it.</summary>
    public Tensor DetachFromDisposeScope()
    {
        Scope?.Forget(this);
        Scope = null;
        return this;
    }

    /// <summary>Moves this tensor to the scope enclosing its current one (or out of scopes entirely).</summary>
    public Tensor MoveToOuterDisposeScope()
    {
        var outer = Scope?.Outer;
        DetachFromDisposeScope();
        outer?.Attach(this);
        return this;
    }

    // Raw pointers for calls that take optional tensors or lists; callers GC.KeepAlive the tensors.
    internal static IntPtr Ptr(Tensor? t) => t is null ? IntPtr.Zero : t.Raw();

    internal static IntPtr[] Ptrs(IReadOnlyList<Tensor> ts)
    {
        var ps = new IntPtr[ts.Count];
        for (var i = 0; i < ps.Length; i++) ps[i] = ts[i].Raw();
        return ps;
    }

    internal IntPtr Raw() =>
        IsDisposed ? throw new ObjectDisposedException(nameof(Tensor), "tensor used after Dispose") : DangerousGetHandle();
}
