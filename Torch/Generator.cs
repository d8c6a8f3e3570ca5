namespace AkkaRlhf.Torch;

/// <summary>
/// A CPU random generator of its own (torch.Generator): sampling, dropout and initialisation that
/// take one are reproducible regardless of what else draws random numbers.
/// </summary>
public sealed class Generator : IDisposable
{
    internal readonly GeneratorHandle Handle;

    /// <summary>A generator seeded with <paramref name="seed"/>.</summary>
    public Generator(ulong seed) => Handle = new GeneratorHandle(Native.Check(Native.ats_generator_new(seed)));

    /// <summary>Re-seeds the generator.</summary>
    public Generator manual_seed(ulong seed)
    {
        Native.Check(Native.ats_generator_set_seed(Handle, seed));
        return this;
    }

    /// <summary>The full generator state as a UInt8 tensor (save it to resume exactly).</summary>
    public Tensor get_state() => new(Native.ats_generator_get_state(Handle));

    /// <summary>Restores a state returned by <see cref="get_state"/>.</summary>
    public void set_state(Tensor state) => Native.Check(Native.ats_generator_set_state(Handle, state));

    /// <inheritdoc/>
    public void Dispose() => Handle.Dispose();

    internal static IntPtr Ptr(Generator? g) => g is null ? IntPtr.Zero : g.Handle.DangerousGetHandle();
}
