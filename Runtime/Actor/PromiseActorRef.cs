using AkkaRlhf.Runtime.Dispatch;

namespace AkkaRlhf.Runtime;

/// <summary>
/// A one-shot temporary reference (<c>/temp/...</c>) that completes a task with the first message it
/// receives (Ask) or with <see cref="Terminated"/> when the actor it watches stops (GracefulStop).
/// </summary>
internal sealed class PromiseActorRef : InternalActorRef
{
    private static long s_next;
    private readonly TaskCompletionSource<object> _promise = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly bool _watchOnly;
    private ActorPath? _path;

    public PromiseActorRef(ActorSystem system, bool watchOnly = false) : base(system, null) => _watchOnly = watchOnly;

    /// <summary>Built on first use only: most asks never look at their temporary path.</summary>
    public override ActorPath Path => _path ??= System.TempPath("$" + Interlocked.Increment(ref s_next));

    public Task<object> Task => _promise.Task;

    public override bool IsTerminated => _promise.Task.IsCompleted;

    public override void Tell(object message, IActorRef? sender)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (_watchOnly || !_promise.TrySetResult(message))
            System.DeadLetterRef.Deliver(message, sender ?? System.DeadLetters, this);
    }

    public override void SendSystemMessage(SystemMessage message)
    {
        if (message is DeathWatchNotification n) _promise.TrySetResult(new Terminated(n.Actor));
    }
}
