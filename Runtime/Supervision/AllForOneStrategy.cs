namespace AkkaRlhf.Runtime;

/// <summary>Applies Restart and Stop to all children when one fails (Resume and Escalate concern the failing one).</summary>
public sealed class AllForOneStrategy : SupervisorStrategy
{
    /// <summary>At most <paramref name="maxNrOfRetries"/> restarts within <paramref name="withinTimeRange"/>.</summary>
    public AllForOneStrategy(int maxNrOfRetries, TimeSpan withinTimeRange, Func<Exception, Directive> decider)
        : base(maxNrOfRetries, withinTimeRange, decider) { }

    /// <summary>Unlimited restarts.</summary>
    public AllForOneStrategy(Func<Exception, Directive> decider) : this(-1, Timeout.InfiniteTimeSpan, decider) { }

    private protected override void ProcessRestart(ActorCell cell, InternalActorRef child, Exception cause)
    {
        foreach (var sibling in cell.ChildRefs) cell.RestartChild(sibling, cause);
    }

    private protected override void ProcessStop(ActorCell cell, InternalActorRef child)
    {
        foreach (var sibling in cell.ChildRefs) cell.Stop(sibling);
    }
}
