using AkkaRlhf.Runtime.Dispatch;

namespace AkkaRlhf.Runtime;

internal sealed partial class ActorCell
{
    private readonly HashSet<InternalActorRef> _watching = [];
    private readonly HashSet<InternalActorRef> _watchedBy = [];
    private readonly HashSet<IActorRef> _terminatedQueued = [];

    public IActorRef Watch(IActorRef subject)
    {
        if (subject is InternalActorRef target && target != Self && _watching.Add(target))
            target.SendSystemMessage(new Dispatch.Watch(target, Self));
        return subject;
    }

    public IActorRef Unwatch(IActorRef subject)
    {
        if (subject is InternalActorRef target && _watching.Remove(target))
            target.SendSystemMessage(new Dispatch.Unwatch(target, Self));
        _terminatedQueued.Remove(subject);
        return subject;
    }

    private void HandleWatch(Dispatch.Watch watch)
    {
        if (watch.Watchee == Self && watch.Watcher != Self) _watchedBy.Add(watch.Watcher);
    }

    private void HandleUnwatch(Dispatch.Unwatch unwatch)
    {
        if (unwatch.Watchee == Self) _watchedBy.Remove(unwatch.Watcher);
    }

    private void HandleDeathWatchNotification(InternalActorRef actor)
    {
        if (_watching.Remove(actor) && !_terminating)
        {
            _terminatedQueued.Add(actor);
            Mailbox.Post(new Envelope(new TerminatedNotice(new Terminated(actor)), actor));
        }
        if (actor is LocalActorRef child && _children.TryGetValue(child.Path.Name, out var known) && known == child)
        {
            _children.TryRemove(child.Path.Name, out _);
            _stoppingChildren.Remove(child);
            _restartStats.Remove(child);
            OnChildTerminated();
        }
    }

    /// <summary>Tells every watcher and the parent, once each, that this actor has stopped.</summary>
    private void NotifyWatchersOfDeath()
    {
        var notify = new HashSet<InternalActorRef>(_watchedBy);
        if (_parent is not null) notify.Add(_parent.Self);
        foreach (var watcher in notify) watcher.SendSystemMessage(new DeathWatchNotification(Self));
        foreach (var watchee in _watching) watchee.SendSystemMessage(new Dispatch.Unwatch(watchee, Self));
        _watchedBy.Clear();
        _watching.Clear();
        _terminatedQueued.Clear();
    }
}
