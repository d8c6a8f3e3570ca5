namespace AkkaRlhf.Runtime;

/// <summary>Applies the directive to the failing child only.</summary>
public sealed class OneForOneStrategy : SupervisorStrategy
{
    /// <summary>At most <paramref name="maxNrOfRetries"/> restarts per child within <paramref name="withinTimeRange"/>.</summary>
    public OneForOneStrategy(int maxNrOfRetries, TimeSpan withinTimeRange, Func<Exception, Directive> decider)
        : base(maxNrOfRetries, withinTimeRange, decider) { }

    /// <summary>Unlimited restarts.</summary>
    public OneForOneStrategy(Func<Exception, Directive> decider) : this(-1, Timeout.InfiniteTimeSpan, decider) { }

    private protected override void ProcessRestart(ActorCell cell, InternalActorRef child, Exception cause) => cell.RestartChild(child, cause);

    private protected override void ProcessStop(ActorCell cell, InternalActorRef child) => cell.Stop(child);
}
