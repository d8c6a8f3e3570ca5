using AkkaRlhf.Runtime.Dispatch;
using AkkaRlhf.Runtime.Supervision;

namespace AkkaRlhf.Runtime;

internal sealed partial class ActorCell
{
    private readonly Dictionary<InternalActorRef, RestartStatistics> _restartStats = [];
    private bool _failed;
    private object? _failedMessage;
    private int _suspendCount;
    private List<InternalActorRef> _suspendedChildren = [];

    /// <summary>
    /// The actor failed (in a handler, an async continuation, PreStart or a restart): stop taking
    /// user messages and report to the parent, whose strategy decides.
    /// </summary>
    public void HandleInvokeFailure(Exception cause)
    {
        if (_failed || _terminating) 
        {
            GetLogger().Error(cause, "Further failure while already failed or stopping; ignored.");
            return;
        }
        _failed = true;
        _failedMessage = _current.Message;
        CancelAsync();
        SuspendChildren();
        if (_parent is null)
        {
            GetLogger().Error(cause, "The root guardian failed; stopping.");
            Stop(Self);
            return;
        }
        _parent.Self.SendSystemMessage(new Failed(Self, cause));
    }

    /// <summary>While this actor is failed its children (and theirs) take no user messages, as in Akka.</summary>
    private void SuspendChildren()
    {
        if (_suspendedChildren.Count > 0) return; // already suspended for this failure
        foreach (var child in _children.Values)
        {
            _suspendedChildren.Add(child);
            child.SendSystemMessage(new Suspend());
        }
    }

    /// <summary>Ends the suspension of the children suspended by this actor's failure (resumed or restarted).</summary>
    private void ResumeChildren(List<InternalActorRef> suspended)
    {
        if (suspended.Count == 0) return;
        _suspendedChildren = [];
        foreach (var child in suspended) child.SendSystemMessage(new ResumeSuspended());
    }

    private void HandleSuspend()
    {
        if (_suspendCount++ == 0)
            foreach (var child in _children.Values) child.SendSystemMessage(new Suspend());
    }

    private void HandleResumeSuspended()
    {
        if (_suspendCount == 0) return;
        if (--_suspendCount == 0)
            foreach (var child in _children.Values) child.SendSystemMessage(new ResumeSuspended());
    }

    private void HandleFailed(Failed failed)
    {
        if (!_children.TryGetValue(failed.Child.Path.Name, out var child) || child != failed.Child) return; // stale
        if (_stoppingChildren.Contains(child)) return;
        var strategy = Props.SupervisorStrategy ?? _actor?.SupervisorStrategy() ?? SupervisorStrategy.DefaultStrategy;
        strategy.HandleFailure(this, child, failed.Cause);
    }

    internal IReadOnlyCollection<InternalActorRef> ChildRefs => _children.Values.ToList();

    internal RestartStatistics StatsFor(InternalActorRef child)
    {
        if (!_restartStats.TryGetValue(child, out var stats)) _restartStats[child] = stats = new RestartStatistics();
        return stats;
    }

    internal void ResumeChild(InternalActorRef child) => child.SendSystemMessage(new Resume());

    internal void RestartChild(InternalActorRef child, Exception cause) => child.SendSystemMessage(new Recreate(cause));

    /// <summary>Escalate: this actor fails with its child's failure, so its own parent decides.</summary>
    internal void Escalate(Exception cause) => HandleInvokeFailure(cause);
}
