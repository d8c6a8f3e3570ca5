using AkkaRlhf.Runtime.Dispatch;

namespace AkkaRlhf.Runtime;

internal sealed partial class ActorCell
{
    private ActorSynchronizationContext? _syncContext;
    private bool _awaitingAsync;
    private int _asyncGeneration;
    private int _incarnation;

    /// <summary>
    /// Runs an async handler: continuations come back to this actor's turn (as system messages) and
    /// user messages wait until the task completes; a fault is handled like a synchronous throw.
    /// </summary>
    public void RunTask(Func<Task> action)
    {
        var previous = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(_syncContext ??= new ActorSynchronizationContext(this, _incarnation));
        Task task;
        try { task = action(); }
        finally { SynchronizationContext.SetSynchronizationContext(previous); }

        if (task.IsCompleted)
        {
            task.GetAwaiter().GetResult(); // rethrows a fault into Invoke's handler
            return;
        }
        _awaitingAsync = true;
        var generation = ++_asyncGeneration;
        task.ContinueWith(
            static (t, state) =>
            {
                var (cell, gen) = ((ActorCell, int))state!;
                cell.Mailbox.PostSystem(new AsyncHandlerCompleted(t, gen));
            },
            (this, generation), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    internal void PostContinuation(SendOrPostCallback callback, object? state, int incarnation) =>
        Mailbox.PostSystem(new RunContinuation(callback, state, incarnation));

    /// <summary>
    /// A new incarnation begins (the instance is created, restarted or stopped): continuations posted by
    /// the async code of the previous one are dropped from now on, so they never touch a stopped or replaced instance.
    /// </summary>
    private void NewIncarnation()
    {
        _incarnation++;
        _syncContext = null;
    }

    private void HandleContinuation(RunContinuation continuation)
    {
        if (continuation.Incarnation != _incarnation || _terminating)
        {
            GetLogger().Debug(_terminating
                ? "Dropped an async continuation: the actor is stopping."
                : "Dropped an async continuation of a previous incarnation (the actor was restarted).");
            return;
        }
        var previous = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(_syncContext);
        try { continuation.Callback(continuation.State); }
        catch (Exception e) { HandleInvokeFailure(e); }
        finally { SynchronizationContext.SetSynchronizationContext(previous); }
    }

    private void HandleAsyncCompleted(AsyncHandlerCompleted completed)
    {
        if (!_awaitingAsync || completed.Generation != _asyncGeneration) return;
        _awaitingAsync = false;
        var task = completed.Task;
        if (task.IsFaulted)
        {
            var error = task.Exception!.InnerExceptions.Count == 1 ? task.Exception.InnerException! : task.Exception;
            HandleInvokeFailure(error);
        }
        else if (task.IsCanceled)
        {
            HandleInvokeFailure(new TaskCanceledException(task));
        }
        else if (!_terminating)
        {
            ResetReceiveTimeout();
        }
    }

    /// <summary>Forgets a pending async handler (restart, stop, failure).</summary>
    private void CancelAsync()
    {
        _awaitingAsync = false;
        _asyncGeneration++;
    }

    /// <summary>The context of one incarnation: what it posts carries the incarnation.</summary>
    private sealed class ActorSynchronizationContext(ActorCell cell, int incarnation) : SynchronizationContext
    {
        public override void Post(SendOrPostCallback d, object? state) => cell.PostContinuation(d, state, incarnation);

        public override void Send(SendOrPostCallback d, object? state) =>
            throw new NotSupportedException("Synchronous Send is not supported on an actor's context.");

        public override SynchronizationContext CreateCopy() => this;
    }
}
