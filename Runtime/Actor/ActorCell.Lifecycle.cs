using AkkaRlhf.Runtime.Dispatch;

namespace AkkaRlhf.Runtime;

internal sealed partial class ActorCell
{
    private bool _created;
    private bool _terminating;
    private volatile bool _terminated;
    private Exception? _pendingRecreate;
    private UnboundedStash? _stash;
    private TimerScheduler? _timers;

    /// <summary>Handles one system message.</summary>
    public void SystemInvoke(SystemMessage message)
    {
        try
        {
            switch (message)
            {
                case Create: HandleCreate(); break;
                case Recreate r: HandleRecreate(r.Cause); break;
                case Resume: HandleResume(); break;
                case Suspend: HandleSuspend(); break;
                case ResumeSuspended: HandleResumeSuspended(); break;
                case Terminate: HandleTerminate(); break;
                case Watch w: HandleWatch(w); break;
                case Unwatch u: HandleUnwatch(u); break;
                case DeathWatchNotification n: HandleDeathWatchNotification(n.Actor); break;
                case Failed f: HandleFailed(f); break;
                case RunContinuation c: HandleContinuation(c); break;
                case AsyncHandlerCompleted a: HandleAsyncCompleted(a); break;
            }
        }
        catch (Exception e)
        {
            GetLogger().Error(e, $"Error while processing system message {message.GetType().Name}.");
        }
    }

    /// <summary>A system message reached a stopped actor: answer watches, drop the rest.</summary>
    public void SystemDeadLetter(SystemMessage message)
    {
        if (message is Watch w && w.Watchee == Self && w.Watcher != Self)
            w.Watcher.SendSystemMessage(new DeathWatchNotification(Self));
    }

    private void HandleCreate()
    {
        try
        {
            NewInstance();
            _created = true;
            _actor!.PreStart();
        }
        catch (Exception e)
        {
            _created = true;
            HandleInvokeFailure(new ActorInitializationException(Self, $"Exception while creating actor {Self.Path}: {e.Message}", e));
        }
    }

    private void NewInstance()
    {
        NewIncarnation(); // before the constructor: a RunTask there belongs to the new instance
        _actor = null;
        _behaviors.Clear();
        t_constructing = this;
        try { _actor = Props.NewActor(); }
        finally { t_constructing = null; }
        _behaviors.Add(_actor.Receive);
        if (_actor is IWithStash withStash) withStash.Stash = _stash = new UnboundedStash(this);
        if (_actor is IWithTimers withTimers) withTimers.Timers = _timers = new TimerScheduler(this);
    }

    private void HandleResume()
    {
        if (!_failed) return;
        if (_actor is null) HandleRecreate(new ActorInitializationException(Self, "Resumed before creation; restarting.", new InvalidOperationException()));
        else
        {
            _failed = false;
            ResumeChildren(_suspendedChildren);
        }
    }

    private void HandleRecreate(Exception cause)
    {
        if (_terminating) return;
        NewIncarnation();
        CancelAsync();
        CancelTimeouts();
        var failedInstance = _actor;
        if (failedInstance is not null)
        {
            _stash?.UnstashAll();
            try { failedInstance.PreRestart(cause, _failedMessage); }
            catch (Exception e) { GetLogger().Error(e, "PreRestart failed."); }
        }
        _pendingRecreate = cause;
        if (_stoppingChildren.Count == 0) FinishRecreate();
    }

    private void FinishRecreate()
    {
        var cause = _pendingRecreate!;
        _pendingRecreate = null;
        _failed = false;
        _failedMessage = null;
        ResumeChildren(_suspendedChildren); // the children PreRestart kept go on (Akka would restart them)
        try
        {
            NewInstance();
            _actor!.PostRestart(cause);
        }
        catch (Exception e)
        {
            HandleInvokeFailure(new ActorInitializationException(Self, $"Exception while restarting actor {Self.Path}: {e.Message}", e));
        }
    }

    private void HandleTerminate()
    {
        if (_terminating) return;
        _terminating = true;
        NewIncarnation();
        CancelAsync();
        CancelTimeouts();
        if (_stash is not null)
            foreach (var envelope in _stash.ClearStash()) DeadLetter(envelope);
        if (_children.IsEmpty) FinishTerminate();
        else foreach (var child in _children.Values) Stop(child);
    }

    private void FinishTerminate()
    {
        try { if (_created) _actor?.PostStop(); }
        catch (Exception e) { GetLogger().Error(e, "PostStop failed."); }
        _terminated = true;
        Mailbox.Close();
        _actor = null;
        _behaviors.Clear();
        NotifyWatchersOfDeath();
        System.EventStream.Unsubscribe(Self);
        _receiveTimeoutTimer?.Dispose();
        if (_parent is null) System.OnRootTerminated();
    }

    private void CancelTimeouts()
    {
        _timers?.CancelAll();
        _receiveTimeout = null;
        ResetReceiveTimeout();
    }

    /// <summary>A child stopped: continue a pending stop or restart.</summary>
    private void OnChildTerminated()
    {
        if (_terminating)
        {
            if (_children.IsEmpty && !_terminated) FinishTerminate();
        }
        else if (_pendingRecreate is not null && _stoppingChildren.Count == 0)
        {
            FinishRecreate();
        }
    }
}
