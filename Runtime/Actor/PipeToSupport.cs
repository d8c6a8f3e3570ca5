namespace AkkaRlhf.Runtime;

/// <summary>Sends a task's outcome to an actor.</summary>
public static class PipeToSupport
{
    /// <summary>
    /// When <paramref name="task"/> completes, tells its result (or <paramref name="success"/> of it) to
    /// <paramref name="recipient"/>, or a <see cref="Status.Failure"/> (or <paramref name="failure"/> of the exception).
    /// </summary>
    public static Task PipeTo<T>(this Task<T> task, ICanTell recipient, IActorRef? sender = null,
        Func<T, object>? success = null, Func<Exception, object>? failure = null) =>
        task.ContinueWith(t =>
        {
            if (t.IsCompletedSuccessfully)
                recipient.Tell(success is null ? (object?)t.Result ?? new Status.Success(null) : success(t.Result), sender);
            else
                recipient.Tell(failure?.Invoke(Unwrap(t)) ?? new Status.Failure(Unwrap(t)), sender);
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    /// <summary>Tells <see cref="Status.Success"/> (or a <see cref="Status.Failure"/>) when <paramref name="task"/> completes.</summary>
    public static Task PipeTo(this Task task, ICanTell recipient, IActorRef? sender = null) =>
        task.ContinueWith(t =>
            recipient.Tell(t.IsCompletedSuccessfully ? new Status.Success(null) : new Status.Failure(Unwrap(t)), sender),
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    private static Exception Unwrap(Task task) =>
        task.Exception is { } e ? (e.InnerExceptions.Count == 1 ? e.InnerException! : e) : new TaskCanceledException(task);
}
