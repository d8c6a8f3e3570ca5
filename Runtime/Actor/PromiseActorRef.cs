using AkkaRlhf.Runtime.Dispatch;

namespace AkkaRlhf.Runtime;

/// <summary>
/// A one-shot temporary reference (<c>/temp/...</c>) that completes a task with the first message it
/// receives (Ask) or with <see cref="Terminated"/> when the actor it watches stops (GracefulStop).
/// Once its path is used (it is serialized, sent over a transport) it is resolvable there until <see cref="Release"/>.
/// </summary>
internal sealed class PromiseActorRef : InternalActorRef
{
    private static long s_next;
    private readonly TaskCompletionSource<object> _promise = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly bool _watchOnly;
    private ActorPath? _path;
    private volatile bool _released;

    public PromiseActorRef(ActorSystem system, bool watchOnly = false) : base(system, null) => _watchOnly = watchOnly;

    /// <summary>Built (and registered as resolvable) on first use only: most asks never look at their temporary path.</summary>
    public override ActorPath Path => Volatile.Read(ref _path) ?? CreatePath();

    private ActorPath CreatePath()
    {
        var path = System.TempPath("$" + Interlocked.Increment(ref s_next));
        var winner = Interlocked.CompareExchange(ref _path, path, null);
        if (winner is not null) return winner;
        if (!_released) System.RegisterTempActor(path.Name, this);
        return path;
    }

    /// <summary>The ask is over (answered, timed out, cancelled): the path no longer resolves to this reference.</summary>
    public void Release()
    {
        _released = true;
        if (Volatile.Read(ref _path) is { } path) System.UnregisterTempActor(path.Name);
    }

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
