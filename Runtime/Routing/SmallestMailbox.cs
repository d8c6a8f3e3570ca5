namespace AkkaRlhf.Runtime.Routing;

/// <summary>
/// Prefers an idle routee (empty mailbox, not processing), then the one with the fewest queued
/// messages; a routee busy with an async handler counts as busy. Non-local routees come last.
/// </summary>
public sealed class SmallestMailboxRoutingLogic : RoutingLogic
{
    /// <inheritdoc />
    public override IEnumerable<IActorRef> Select(object message, IReadOnlyList<IActorRef> routees)
    {
        IActorRef? best = null;
        var bestScore = long.MaxValue;
        foreach (var routee in routees)
        {
            var score = Score(routee);
            if (score < bestScore)
            {
                best = routee;
                bestScore = score;
                if (score == 0) break;
            }
        }
        return best is null ? [] : [best];
    }

    private static long Score(IActorRef routee)
    {
        if (routee is not LocalActorRef local) return long.MaxValue - 1;
        var cell = local.Cell;
        if (cell.IsTerminated) return long.MaxValue - 1;
        var score = (long)cell.Mailbox.NumberOfMessages * 4;
        if (!cell.CanProcessUserMessages) score += 2;
        if (cell.Mailbox.IsScheduled) score += 1;
        return score;
    }
}

/// <summary>A smallest-mailbox pool of <c>nrOfInstances</c> children.</summary>
public sealed class SmallestMailboxPool(int nrOfInstances) : Pool(nrOfInstances)
{
    /// <inheritdoc />
    public override RoutingLogic CreateRoutingLogic() => new SmallestMailboxRoutingLogic();
}

/// <summary>A smallest-mailbox group over existing local actors.</summary>
public sealed class SmallestMailboxGroup : Group
{
    /// <summary>Routees by path.</summary>
    public SmallestMailboxGroup(params string[] paths) : base(paths) { }

    /// <summary>Routees by reference.</summary>
    public SmallestMailboxGroup(IEnumerable<IActorRef> routees) : base(routees) { }

    /// <inheritdoc />
    public override RoutingLogic CreateRoutingLogic() => new SmallestMailboxRoutingLogic();
}
