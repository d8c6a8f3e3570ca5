using System.Collections.Concurrent;
using AkkaRlhf.Runtime.Dispatch;
using AkkaRlhf.Runtime.Event;

namespace AkkaRlhf.Runtime;

/// <summary>
/// The kernel's bookkeeping for one actor: its instance, mailbox, behaviors, children, watchers
/// and lifecycle state. Everything except <see cref="ActorOf"/> on guardians runs on the actor's turn.
/// The partial files split it by concern (lifecycle, supervision, death watch, async, timeouts).
/// </summary>
internal sealed partial class ActorCell : IActorContext
{
    [ThreadStatic] private static ActorCell? t_current;
    [ThreadStatic] private static ActorCell? t_constructing;

    private readonly ActorCell? _parent;
    private readonly List<Receive> _behaviors = [];
    private ActorBase? _actor;
    private Envelope _current;
    private long _delivery;
    private ILoggingAdapter? _log;

    public ActorCell(ActorSystem system, ActorPath path, Props props, ActorCell? parent)
    {
        System = system;
        Props = props;
        _parent = parent;
        Mailbox = new Mailbox(this, system.Settings.Throughput);
        Self = new LocalActorRef(this, path);
    }

    /// <summary>The cell whose actor is processing a message on this thread, if any.</summary>
    internal static ActorCell? Current
    {
        get => t_current;
        set => t_current = value;
    }

    /// <summary>The cell creating an actor instance on this thread (read by the <see cref="ActorBase"/> constructor).</summary>
    internal static ActorCell? Constructing => t_constructing;

    public ActorSystem System { get; }

    public Props Props { get; }

    public LocalActorRef Self { get; }

    public Mailbox Mailbox { get; }

    IActorRef IActorContext.Self => Self;

    public IActorRef Sender => _current.Sender ?? System.DeadLetters;

    public IActorRef Parent => (IActorRef?)_parent?.Self ?? Self;

    internal Envelope CurrentEnvelope => _current;

    /// <summary>Counts user-message deliveries: identifies the current one (an unstashed message is a new delivery).</summary>
    internal long CurrentDelivery => _delivery;

    internal ActorBase? Actor => _actor;

    public bool IsTerminated => _terminated;

    /// <summary>True when user messages may be processed now.</summary>
    public bool CanProcessUserMessages =>
        _created && !_failed && _suspendCount == 0 && !_terminating && !_awaitingAsync && _pendingRecreate is null;

    /// <summary>Queues <see cref="Create"/>; messages told before it is processed wait in the mailbox.</summary>
    public void Start() => Mailbox.PostSystem(new Create());

    /// <summary>Processes one user message.</summary>
    public void Invoke(Envelope envelope)
    {
        _current = envelope;
        _delivery++;
        var message = envelope.Message;
        try
        {
            if (message is IAutoReceivedMessage || message is IInternalMessage)
                AutoReceive(message);
            else
                ReceiveMessage(message);
        }
        catch (Exception e)
        {
            HandleInvokeFailure(e);
        }
        finally
        {
            if (message is not INotInfluenceReceiveTimeout) ResetReceiveTimeout();
        }
    }

    private void ReceiveMessage(object message)
    {
        var behavior = _behaviors.Count > 0 ? _behaviors[^1] : null;
        if (behavior is null || !behavior(message)) _actor!.InvokeUnhandled(message);
    }

    private void AutoReceive(object message)
    {
        switch (message)
        {
            case PoisonPill:
                Stop(Self);
                break;
            case Kill:
                throw new ActorKilledException($"Kill message received by {Self.Path}.");
            case Identify identify:
                Sender.Tell(new ActorIdentity(identify.MessageId, Self), Self);
                break;
            case TerminatedNotice notice:
                if (_terminatedQueued.Remove(notice.Terminated.ActorRef)) ReceiveMessage(notice.Terminated);
                break;
            case ReceiveTimeoutTick tick:
                if (tick.Generation == Volatile.Read(ref _receiveTimeoutGeneration) && _receiveTimeout is not null)
                {
                    ReceiveMessage(Runtime.ReceiveTimeout.Instance);
                    ResetReceiveTimeout(); // keeps firing while idle, until cancelled
                }
                break;
            case TimerMessage timer:
                if (timer.Owner.Accept(timer)) ReceiveMessage(timer.Message);
                break;
            default:
                ReceiveMessage(message);
                break;
        }
    }

    /// <summary>Routes a message that reached a stopped actor to dead letters.</summary>
    public void DeadLetter(Envelope envelope)
    {
        switch (envelope.Message)
        {
            case Event.DeadLetter or LogEvent or UnhandledMessage: return; // events to a stopped subscriber
            case IInternalMessage: return;
            default:
                System.DeadLetterRef.Deliver(envelope.Message, envelope.Sender, Self);
                break;
        }
    }

    public void Become(Receive receive)
    {
        if (_behaviors.Count > 0) _behaviors.RemoveAt(_behaviors.Count - 1);
        _behaviors.Add(receive);
    }

    public void BecomeStacked(Receive receive) => _behaviors.Add(receive);

    public void UnbecomeStacked()
    {
        if (_behaviors.Count > 1) _behaviors.RemoveAt(_behaviors.Count - 1);
    }

    public ILoggingAdapter GetLogger() => _log ??= System.CreateLogger(Self.Path.ToString(), Props.ActorType);
}
