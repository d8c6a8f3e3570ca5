namespace AkkaRlhf.Cluster;

/// <summary>An <see cref="Outgoing"/> message waiting for the broker's confirm.</summary>
internal sealed class Pending(Outgoing message)
{
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Outgoing Message { get; } = message;

    /// <summary>Completes once the broker has confirmed the message (it is then on disk for persistent ones).</summary>
    public Task Confirmed => _done.Task;

    /// <summary>Publish attempts so far.</summary>
    public int Attempts { get; set; }

    public void Confirm() => _done.TrySetResult();

    public void Fail(Exception error) => _done.TrySetException(error);

    public void Cancel() => _done.TrySetCanceled();
}
