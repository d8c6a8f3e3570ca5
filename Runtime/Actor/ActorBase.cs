using AkkaRlhf.Runtime.Event;

namespace AkkaRlhf.Runtime;

/// <summary>
/// Base class of all actors. An actor processes one message at a time; create it with
/// <c>ActorOf(Props.Create(() => new MyActor()))</c>, never with <c>new</c> directly.
/// </summary>
public abstract class ActorBase
{
    private readonly ActorCell _cell;
    private ILoggingAdapter? _log;

    /// <summary>Binds the new instance to the cell that is creating it.</summary>
    protected ActorBase()
    {
        _cell = ActorCell.Constructing
            ?? throw new InvalidOperationException($"Actor {GetType().Name} must be created through ActorOf(Props), not with 'new'.");
    }

    /// <summary>This actor's context.</summary>
    protected IActorContext Context => _cell;

    /// <summary>This actor.</summary>
    protected IActorRef Self => _cell.Self;

    /// <summary>The sender of the current message.</summary>
    protected IActorRef Sender => _cell.Sender;

    /// <summary>A logger whose source is this actor.</summary>
    protected ILoggingAdapter Log => _log ??= _cell.GetLogger();

    internal ActorCell Cell => _cell;

    /// <summary>The initial behavior.</summary>
    protected internal abstract bool Receive(object message);

    /// <summary>Called when the actor starts, before the first message.</summary>
    protected internal virtual void PreStart() { }

    /// <summary>Called after the actor (and all its children) stopped.</summary>
    protected internal virtual void PostStop() { }

    /// <summary>Called on the failed instance before a restart; by default stops all children and calls PostStop.</summary>
    protected internal virtual void PreRestart(Exception reason, object? message)
    {
        foreach (var child in Context.Children.ToList())
        {
            Context.Unwatch(child);
            Context.Stop(child);
        }
        PostStop();
    }

    /// <summary>Called on the fresh instance after a restart; by default calls PreStart.</summary>
    protected internal virtual void PostRestart(Exception reason) => PreStart();

    /// <summary>
    /// Called for messages no behavior handled: an unhandled <see cref="Terminated"/> throws
    /// <see cref="DeathPactException"/>; anything else is published as <see cref="UnhandledMessage"/>.
    /// </summary>
    protected virtual void Unhandled(object message)
    {
        if (message is Terminated t) throw new DeathPactException(t.ActorRef);
        _cell.System.EventStream.Publish(new UnhandledMessage(message, Sender, Self));
    }

    /// <summary>How this actor supervises its children; the default restarts a failing child.</summary>
    protected internal virtual SupervisorStrategy SupervisorStrategy() => Runtime.SupervisorStrategy.DefaultStrategy;

    /// <summary>Replaces the current behavior (see <see cref="IActorContext.Become"/>).</summary>
    protected void Become(Receive receive) => Context.Become(receive);

    /// <summary>
    /// Runs an async piece of work as part of the current message: the actor takes no other user
    /// message until the returned task completes, continuations run on the actor's turn, and a
    /// failure reaches the supervisor.
    /// </summary>
    protected void RunTask(Func<Task> action) => _cell.RunTask(action);

    internal void InvokeUnhandled(object message) => Unhandled(message);
}
