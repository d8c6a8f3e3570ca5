namespace AkkaRlhf.Actors.Pipeline;

/// <summary>
/// A stage's failure for good: <see cref="Fail"/> (the first cause counts) cancels every pending and later
/// <see cref="Retry.AskOrFail{T}"/> made with it, which then throws <see cref="RoleFailedException"/> with the cause.
/// </summary>
public sealed class StageFailure
{
    private readonly CancellationTokenSource _cancel = new();
    private Exception? _cause;

    /// <summary>Why the stage failed; null while it has not.</summary>
    public Exception? Cause => Volatile.Read(ref _cause);

    /// <summary>Cancelled once the stage has failed.</summary>
    public CancellationToken Token => _cancel.Token;

    /// <summary>Fails the stage with <paramref name="cause"/> (a later cause is ignored).</summary>
    public void Fail(Exception cause)
    {
        if (Interlocked.CompareExchange(ref _cause, cause, null) is null) _cancel.Cancel();
    }
}
