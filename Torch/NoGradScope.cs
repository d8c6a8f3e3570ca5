namespace AkkaRlhf.Torch;

/// <summary>
/// Disables (or enables) gradient recording until disposed: <c>using (torch.no_grad()) { ... }</c>.
/// Grad mode is per thread, as in libtorch: dispose on the thread that created the scope (do not await inside it).
/// </summary>
public sealed class NoGradScope : IDisposable
{
    private readonly bool previous;
    private bool disposed;

    internal NoGradScope(bool enabled) => previous = Native.ats_grad_set_enabled(enabled ? 1 : 0) != 0;

    /// <summary>Restores the previous grad mode.</summary>
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        Native.ats_grad_set_enabled(previous ? 1 : 0);
    }
}
