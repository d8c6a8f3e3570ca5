namespace AkkaRlhf.Runtime;

/// <summary>
/// How a parent handles its children's failures: a decider maps the exception to a
/// <see cref="Directive"/>; restarts are limited to <see cref="MaxNumberOfRetries"/> within
/// <see cref="WithinTimeRange"/>, past which the child is stopped.
/// </summary>
public abstract class SupervisorStrategy
{
    /// <summary>Creates a strategy; -1 retries and an infinite window mean "restart without limit".</summary>
    protected SupervisorStrategy(int maxNrOfRetries, TimeSpan withinTimeRange, Func<Exception, Directive> decider)
    {
        MaxNumberOfRetries = maxNrOfRetries;
        WithinTimeRange = withinTimeRange;
        Decider = decider ?? throw new ArgumentNullException(nameof(decider));
    }

    /// <summary>
    /// Restarts on any exception except <see cref="ActorInitializationException"/>,
    /// <see cref="ActorKilledException"/> and <see cref="DeathPactException"/>, which stop.
    /// </summary>
    public static SupervisorStrategy DefaultStrategy { get; } = new OneForOneStrategy(DefaultDecider);

    /// <summary>Stops a failing child.</summary>
    public static SupervisorStrategy StoppingStrategy { get; } = new OneForOneStrategy(_ => Directive.Stop);

    /// <summary>The decider of <see cref="DefaultStrategy"/>.</summary>
    public static Directive DefaultDecider(Exception cause) => cause switch
    {
        ActorInitializationException or ActorKilledException or DeathPactException => Directive.Stop,
        _ => Directive.Restart,
    };

    /// <summary>Restarts allowed within <see cref="WithinTimeRange"/>; -1 for no limit, 0 to stop instead.</summary>
    public int MaxNumberOfRetries { get; }

    /// <summary>The window restarts are counted in; <see cref="Timeout.InfiniteTimeSpan"/> counts forever.</summary>
    public TimeSpan WithinTimeRange { get; }

    /// <summary>Maps a failure to a directive.</summary>
    public Func<Exception, Directive> Decider { get; }

    internal void HandleFailure(ActorCell cell, InternalActorRef child, Exception cause)
    {
        var directive = Decider(cause);
        switch (directive)
        {
            case Directive.Resume:
                cell.ResumeChild(child);
                break;
            case Directive.Restart:
                if (cell.StatsFor(child).RequestRestartPermission(MaxNumberOfRetries, WithinTimeRange))
                    ProcessRestart(cell, child, cause);
                else
                    ProcessStop(cell, child);
                break;
            case Directive.Stop:
                ProcessStop(cell, child);
                break;
            default:
                cell.Escalate(cause);
                break;
        }
        if (directive != Directive.Escalate)
            cell.GetLogger().Warning($"Child {child.Path} failed with {cause.GetType().Name}: {cause.Message} -> {directive}");
    }

    /// <summary>Restarts the failed child (one-for-one) or all children (all-for-one).</summary>
    private protected abstract void ProcessRestart(ActorCell cell, InternalActorRef child, Exception cause);

    /// <summary>Stops the failed child (one-for-one) or all children (all-for-one).</summary>
    private protected abstract void ProcessStop(ActorCell cell, InternalActorRef child);
}
