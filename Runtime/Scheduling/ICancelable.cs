namespace AkkaRlhf.Runtime;

/// <summary>A handle to cancel scheduled work.</summary>
public interface ICancelable
{
    /// <summary>True once cancelled (or, for a one-shot, once it ran).</summary>
    bool IsCancellationRequested { get; }

    /// <summary>Cancels; idempotent.</summary>
    void Cancel();
}
