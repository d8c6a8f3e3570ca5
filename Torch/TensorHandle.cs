using System.Runtime.InteropServices;

namespace AkkaRlhf.Torch;

/// <summary>Owns one native <c>at::Tensor*</c>; released exactly once, by Dispose or the finalizer.</summary>
internal sealed class TensorHandle : SafeHandle
{
    private static long live;

    /// <summary>Native tensors currently alive (for leak tests: compare before and after a scope).</summary>
    internal static long Live => Interlocked.Read(ref live);

    public TensorHandle() : base(IntPtr.Zero, ownsHandle: true) { }

    internal TensorHandle(IntPtr handle) : base(IntPtr.Zero, ownsHandle: true)
    {
        SetHandle(handle);
        Interlocked.Increment(ref live);
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        Native.ats_free(handle);
        Interlocked.Decrement(ref live);
        return true;
    }
}

/// <summary>Owns one native <c>at::Generator*</c>.</summary>
internal sealed class GeneratorHandle : SafeHandle
{
    public GeneratorHandle() : base(IntPtr.Zero, ownsHandle: true) { }

    internal GeneratorHandle(IntPtr handle) : base(IntPtr.Zero, ownsHandle: true) => SetHandle(handle);

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        Native.ats_generator_free(handle);
        return true;
    }
}
