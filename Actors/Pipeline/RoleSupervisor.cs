using Akka.Actor;
using Akka.Event;

namespace AkkaRlhf.Actors.Pipeline;

/// <summary>
/// How failing roles are treated (<c>akka-rlhf.ppo.retry</c>): a request that failed is asked again after a backoff doubling
/// from <paramref name="MinBackoff"/> to <paramref name="MaxBackoff"/>; a role that fails more than
/// <paramref name="MaxRestarts"/> times within <paramref name="Window"/> fails the run.
/// </summary>
public sealed record RoleRestarts(TimeSpan MinBackoff, TimeSpan MaxBackoff, int MaxRestarts, TimeSpan Window)
{
    /// <summary>The wait before ask number <paramref name="attempt"/> + 1 after a failure (1, 2, ...).</summary>
    public TimeSpan Backoff(int attempt) =>
        TimeSpan.FromTicks(Math.Min(MaxBackoff.Ticks, MinBackoff.Ticks * (1L << Math.Min(attempt - 1, 30))));
}

/// <summary>
/// Supervises one role for a stage actor that awaits the role's replies. (In Akka.NET a parent busy in an async handler
/// does not handle its children's failures until the handler returns: a failed child would wait, suspended, while the
/// parent waits for its reply.) Every message is forwarded to the role, the asker staying the sender. A role that fails
/// (its handler has already answered the asker with <see cref="Status.Failure"/>, so the asker can retry after a backoff)
/// is restarted at once, keeping its mailbox: nothing sent to it is lost. A role that cannot be created, or fails more than
/// <see cref="RoleRestarts.MaxRestarts"/> times within <see cref="RoleRestarts.Window"/>, is fatal: <c>onFatal</c> gets the
/// cause at once (the stage fails with it) and the supervisor stops.
/// </summary>
public sealed class RoleSupervisor : ReceiveActor
{
    private readonly string _name;
    private readonly RoleRestarts _restarts;
    private Exception? _lastCause;

    public static Props Props(Props role, string name, RoleRestarts restarts, Action<Exception> onFatal) =>
        Akka.Actor.Props.Create(() => new RoleSupervisor(role, name, restarts, onFatal));

    public RoleSupervisor(Props role, string name, RoleRestarts restarts, Action<Exception> onFatal)
    {
        (_name, _restarts) = (name, restarts);
        var child = Context.Watch(Context.ActorOf(role, name));
        Receive<Terminated>(t => t.ActorRef.Equals(child), _ =>
        {
            onFatal(_lastCause is ActorInitializationException { InnerException: { } init }
                ? new InvalidOperationException($"role {name} could not be created: {init.GetBaseException().Message}", init.GetBaseException())
                : new InvalidOperationException($"role {name} failed more than {restarts.MaxRestarts} times within {restarts.Window.TotalSeconds:0} s " +
                    $"(akka-rlhf.ppo.retry.max-restarts): {_lastCause?.Message ?? "it stopped"}", _lastCause));
            Context.Stop(Self);
        });
        ReceiveAny(message => child.Forward(message));
    }

    /// <summary>Restart on failure (Akka stops the role once it exceeds the restart limit); a role that cannot be created stops.</summary>
    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(_restarts.MaxRestarts, _restarts.Window, cause =>
    {
        _lastCause = cause;
        if (cause is ActorInitializationException) return Directive.Stop;
        Context.GetLogger().Warning($"role {_name} failed ({cause.Message}); restarted");
        return Directive.Restart;
    });
}
