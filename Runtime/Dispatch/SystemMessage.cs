namespace AkkaRlhf.Runtime.Dispatch;

/// <summary>Kernel messages; a mailbox processes them before any user message.</summary>
internal abstract record SystemMessage : INoSerializationVerificationNeeded;

/// <summary>Creates the actor instance and runs PreStart.</summary>
internal sealed record Create : SystemMessage;

/// <summary>Restarts the actor after <paramref name="Cause"/> (sent by the supervisor).</summary>
internal sealed record Recreate(Exception Cause) : SystemMessage;

/// <summary>Resumes a failed actor, keeping its state (sent by the supervisor).</summary>
internal sealed record Resume : SystemMessage;

/// <summary>The parent (or an ancestor) failed: take no user messages until the matching <see cref="ResumeSuspended"/>.</summary>
internal sealed record Suspend : SystemMessage;

/// <summary>The failed ancestor was resumed or restarted: ends one <see cref="Suspend"/>.</summary>
internal sealed record ResumeSuspended : SystemMessage;

/// <summary>Stops the actor (and first its children).</summary>
internal sealed record Terminate : SystemMessage;

/// <summary><paramref name="Watcher"/> wants a death notification for <paramref name="Watchee"/>.</summary>
internal sealed record Watch(InternalActorRef Watchee, InternalActorRef Watcher) : SystemMessage;

/// <summary>Cancels a <see cref="Watch"/>.</summary>
internal sealed record Unwatch(InternalActorRef Watchee, InternalActorRef Watcher) : SystemMessage;

/// <summary>Tells a watcher (or the parent) that <paramref name="Actor"/> has stopped.</summary>
internal sealed record DeathWatchNotification(InternalActorRef Actor) : SystemMessage;

/// <summary>A child reports a failure to its parent.</summary>
internal sealed record Failed(InternalActorRef Child, Exception Cause) : SystemMessage;

/// <summary>Runs a continuation of an async handler on the actor's turn (dropped when <paramref name="Incarnation"/> is over).</summary>
internal sealed record RunContinuation(SendOrPostCallback Callback, object? State, int Incarnation) : SystemMessage;

/// <summary>An async handler finished; user messages may flow again.</summary>
internal sealed record AsyncHandlerCompleted(Task Task, int Generation) : SystemMessage;
