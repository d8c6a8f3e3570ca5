using AkkaRlhf.Runtime.Dispatch;

namespace AkkaRlhf.Runtime;

/// <summary>Implement on an actor to get a <see cref="Stash"/> (set by the kernel after construction).</summary>
public interface IWithStash
{
    /// <summary>The actor's stash.</summary>
    IStash Stash { get; set; }
}

/// <summary>
/// Puts the current message aside to process it later. Unstashed messages go to the front of the
/// mailbox in their original order. On restart the stash is unstashed into the mailbox (nothing is
/// lost); on stop stashed messages go to dead letters.
/// </summary>
public interface IStash
{
    /// <summary>Stashes the message being processed.</summary>
    void Stash();

    /// <summary>Returns the oldest stashed message to the front of the mailbox.</summary>
    void Unstash();

    /// <summary>Returns all stashed messages to the front of the mailbox, oldest first.</summary>
    void UnstashAll();

    /// <summary>Returns the stashed messages matching <paramref name="predicate"/>; the rest stay stashed.</summary>
    void UnstashAll(Func<Envelope, bool> predicate);

    /// <summary>Empties the stash and returns what it held.</summary>
    IReadOnlyList<Envelope> ClearStash();
}

internal sealed class UnboundedStash(ActorCell cell) : IStash
{
    private readonly List<Envelope> _stashed = [];
    private long _lastStashedDelivery = -1;

    /// <summary>
    /// Stashes the current envelope. As in Akka the check is on the delivery, not on the message object:
    /// the same object (an interned string, a singleton) delivered twice can be stashed twice, but stashing
    /// the current delivery twice within one receive throws.
    /// </summary>
    public void Stash()
    {
        var current = cell.CurrentEnvelope;
        if (current.Message is null) throw new InvalidOperationException("There is no current message to stash.");
        var delivery = cell.CurrentDelivery;
        if (delivery == _lastStashedDelivery)
            throw new InvalidOperationException($"Cannot stash the same message twice within one receive: {current.Message}.");
        _lastStashedDelivery = delivery;
        _stashed.Add(current);
    }

    public void Unstash()
    {
        if (_stashed.Count == 0) return;
        var first = _stashed[0];
        _stashed.RemoveAt(0);
        cell.Mailbox.Prepend([first]);
    }

    public void UnstashAll() => UnstashAll(_ => true);

    public void UnstashAll(Func<Envelope, bool> predicate)
    {
        var selected = new List<Envelope>();
        var kept = new List<Envelope>();
        foreach (var envelope in _stashed) (predicate(envelope) ? selected : kept).Add(envelope);
        if (selected.Count == 0) return;
        _stashed.Clear();
        _stashed.AddRange(kept);
        cell.Mailbox.Prepend(selected);
    }

    public IReadOnlyList<Envelope> ClearStash()
    {
        var all = _stashed.ToList();
        _stashed.Clear();
        return all;
    }
}
