using System.Diagnostics;
using AkkaRlhf.Actors.Messages;
using AkkaRlhf.Actors.Pipeline;
using Akka.Actor;
using Akka.Event;
using AkkaCluster = Akka.Cluster.Cluster;
using static Akka.Cluster.ClusterEvent;

namespace AkkaRlhf.Actors.Cluster;

/// <summary>
/// The coordinator's end of one cluster role: requests for the role go to the role's <see cref="RoleWorker"/>s on the
/// members with that role, at least once. It follows membership, finds each member's worker (<c>/user/rlhf-ROLE</c>, by
/// Identify) and watches it; a request goes to the available worker with the fewest requests in hand (a trained role, the
/// critic, to the first worker only: its state lives there). A member that leaves gracefully gets no new requests and
/// keeps those it holds while it runs; when a member becomes unreachable or is removed, or its worker stops, the requests it holds go
/// to another worker of the role (or wait for one to join); the first answer goes to the asker, a later
/// one is a duplicate and is dropped (role actors are idempotent per batch id, so the work itself is the same). A worker's
/// answer comes as <see cref="Served"/>, with the member's own time: the asker gets the answer, <c>timed</c> the split of the
/// round trip (messaging vs the member's work). Nothing
/// waits without end: a request no worker answers fails the asker when its time is up. Weights for the role
/// (<see cref="ToAll"/>) go to every worker, and the newest again to a worker found later.
/// </summary>
public sealed class RoleDispatcher : ReceiveActor, IWithTimers
{
    /// <summary>A message for every worker of the role (policy weights), sent as from <paramref name="Sender"/>; the newest is kept for later workers.</summary>
    public sealed record ToAll(object Message, IActorRef Sender);

    /// <summary>Asks how many workers are available (an <see cref="int"/> reply).</summary>
    public sealed record CountWorkers
    {
        public static CountWorkers Instance { get; } = new();
    }

    /// <summary>The name of the role's worker on every member: <c>/user/rlhf-ROLE</c>.</summary>
    public static string WorkerName(string role) => $"rlhf-{role}";

    private sealed record Answered(long Id, int Attempt, object Reply);
    private sealed record Unanswered(long Id, int Attempt, Exception Cause);
    private sealed record IdentifyAgain
    {
        public static IdentifyAgain Instance { get; } = new();
    }

    private sealed class Worker(IActorRef actor, Address address)
    {
        public IActorRef Actor { get; } = actor;
        public Address Address { get; } = address;
        public bool Available { get; set; } = true;
        public bool Leaving { get; set; }
        public int InHand { get; set; }
    }

    private sealed class Work(object message, IActorRef asker, DateTime deadline)
    {
        public object Message { get; } = message;
        public IActorRef Asker { get; } = asker;
        public DateTime Deadline { get; } = deadline;
        public Worker? Worker { get; set; }
        public int Attempt { get; set; }
        public long SentAt { get; set; }
    }

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly string _role;
    private readonly TimeSpan _timeout;
    private readonly bool _stateful;
    private readonly long _maxMessageSize;
    private readonly List<Worker> _workers = [];
    private readonly HashSet<Address> _members = [];
    private readonly Dictionary<long, Work> _work = [];
    private readonly Queue<long> _waiting = new();
    private ToAll? _newest;
    private readonly TimeSpan _identifyInterval;
    private readonly Action<object, RemoteTiming>? _timed;
    private long _nextId, _sent, _completed, _redispatched, _lost, _duplicated;

    public ITimerScheduler Timers { get; set; } = null!;

    /// <param name="role">The cluster role (e.g. "rollout").</param>
    /// <param name="timeout">How long a request may wait for its answer (the asker's own timeout).</param>
    /// <param name="stateful">A trained role: every request goes to one worker.</param>
    /// <param name="settings">The cluster settings (message size limit, identify interval).</param>
    /// <param name="timed">Told how each answered request's round trip went (<see cref="Served"/> answers), before its asker gets the answer.</param>
    public static Props Props(string role, TimeSpan timeout, bool stateful, ClusterSettings settings, Action<object, RemoteTiming>? timed = null) =>
        Akka.Actor.Props.Create(() => new RoleDispatcher(role, timeout, stateful, settings, timed));

    public RoleDispatcher(string role, TimeSpan timeout, bool stateful, ClusterSettings settings, Action<object, RemoteTiming>? timed = null)
    {
        (_role, _timeout, _stateful, _maxMessageSize, _identifyInterval, _timed) =
            (role, timeout, stateful, settings.MaxMessageSize, settings.IdentifyInterval, timed);

        Receive<MemberUp>(up => up.Member.HasRole(role), up => Identify(up.Member.Address));
        Receive<MemberJoined>(_ => { });
        Receive<UnreachableMember>(m => Lose(m.Member.Address, "unreachable", remove: false));
        Receive<ReachableMember>(m => Find(m.Member.Address) is { Leaving: false }, m =>
        {
            Find(m.Member.Address)!.Available = true;
            DispatchWaiting();
        });
        Receive<MemberLeft>(m => Retire(m.Member.Address));
        Receive<MemberExited>(m => Retire(m.Member.Address));
        Receive<MemberRemoved>(m =>
        {
            _members.Remove(m.Member.Address);
            Lose(m.Member.Address, "removed", remove: true);
        });
        Receive<IMemberEvent>(_ => { });
        Receive<IdentifyAgain>(_ => { foreach (var a in _members.Where(a => Find(a) is null)) Identify(a); });
        Receive<ActorIdentity>(id => id.Subject is not null, Found);
        Receive<ActorIdentity>(_ => { });                                             // not started yet there: asked again later
        Receive<Terminated>(t => _workers.FirstOrDefault(w => w.Actor.Equals(t.ActorRef)) is { } w,
            t => Lose(t.ActorRef.Path.Address, "its worker stopped", remove: true));

        Receive<Answered>(Answer);
        Receive<Unanswered>(Fail);
        Receive<ToAll>(all =>
        {
            _newest = all;
            foreach (var w in _workers) w.Actor.Tell(all.Message, all.Sender);
        });
        Receive<CountWorkers>(_ => Sender.Tell(_workers.Count(w => w.Available)));
        Receive<GetWorkAccounting>(_ => Sender.Tell(new WorkAccounting(role, _sent, _completed, _redispatched, _lost, _duplicated)));
        ReceiveAny(message =>
        {
            var id = ++_nextId;
            _sent++;
            _work[id] = new Work(message, Sender, DateTime.UtcNow + timeout);
            Dispatch(id);
        });
    }

    protected override void PreStart()
    {
        AkkaCluster.Get(Context.System).Subscribe(Self, InitialStateAsEvents, typeof(IMemberEvent), typeof(IReachabilityEvent));
        Timers.StartPeriodicTimer("identify", IdentifyAgain.Instance, _identifyInterval);
    }

    protected override void PostStop() => AkkaCluster.Get(Context.System).Unsubscribe(Self);

    private Worker? Find(Address address) => _workers.FirstOrDefault(w => w.Address.Equals(address));

    private void Identify(Address address)
    {
        _members.Add(address);
        Context.ActorSelection(new RootActorPath(address) / "user" / WorkerName(_role)).Tell(new Identify(_role));
    }

    private void Found(ActorIdentity id)
    {
        var address = id.Subject.Path.Address;
        if (!_members.Contains(address) || Find(address) is not null) return;
        var worker = new Worker(Context.Watch(id.Subject), address);
        _workers.Add(worker);
        _log.Info($"role {_role}: worker on {address}");
        if (_newest is { } newest) worker.Actor.Tell(newest.Message, newest.Sender);     // a late joiner gets the current weights
        DispatchWaiting();
    }

    /// <summary>
    /// A member of the role leaves gracefully: it gets no new requests (for good: it is not looked for again), and keeps
    /// those it holds, whose answers count while it still runs (sending them elsewhere at once would do them twice); any it
    /// has not answered go to another worker when its worker stops or it is removed.
    /// </summary>
    private void Retire(Address address)
    {
        _members.Remove(address);
        if (Find(address) is not { Leaving: false } worker) return;
        worker.Leaving = true;
        worker.Available = false;
        _log.Info($"role {_role}: {address} is leaving; no new requests go there, its {worker.InHand} in hand may still be answered");
    }

    /// <summary>A member of the role is gone or unreachable: its requests go to another worker; a removed one is forgotten.</summary>
    private void Lose(Address address, string why, bool remove)
    {
        if (Find(address) is not { } worker) return;
        worker.Available = false;
        if (remove)
        {
            _workers.Remove(worker);
            Context.Unwatch(worker.Actor);
        }
        var held = _work.Where(w => w.Value.Worker == worker).Select(w => w.Key).ToList();
        if (held.Count > 0)
            _log.Warning($"role {_role}: {address} is {why}; its {held.Count} request(s) go to another worker: " +
                string.Join("; ", held.Select(id => RoleWorker.Describe(_work[id].Message))));
        foreach (var id in held)
        {
            _redispatched++;
            worker.InHand--;
            _work[id].Worker = null;
            Dispatch(id);
        }
    }

    private void DispatchWaiting()
    {
        for (var n = _waiting.Count; n > 0; n--) Dispatch(_waiting.Dequeue());
    }

    private void Dispatch(long id)
    {
        if (!_work.TryGetValue(id, out var work)) return;
        var left = work.Deadline - DateTime.UtcNow;
        if (left <= TimeSpan.Zero)
        {
            Drop(id, new AskTimeoutException($"no worker of role {_role} answered within {_timeout.TotalSeconds:0} s"));
            return;
        }
        var available = _workers.Where(w => w.Available).ToList();
        var worker = _stateful ? available.FirstOrDefault() : available.OrderBy(w => w.InHand).FirstOrDefault();
        if (worker is null)
        {
            _waiting.Enqueue(id);
            return;
        }
        if (!worker.Actor.Path.Address.HasLocalScope && SizeOf(work.Message) is var size && size > _maxMessageSize)
        {
            var refused = $"{work.Message.GetType().Name} for role {_role} is {size} bytes, over the largest message to another node " +
                $"({_maxMessageSize} bytes, akka.remote.dot-netty.tcp.maximum-frame-size): send smaller batches or raise the frame size";
            _log.Error(refused);
            Drop(id, new InvalidOperationException(refused));
            return;
        }
        var attempt = ++work.Attempt;
        work.SentAt = Stopwatch.GetTimestamp();
        work.Worker = worker;
        worker.InHand++;
        worker.Actor.Ask(work.Message, left).PipeTo(Self,
            success: reply => new Answered(id, attempt, reply), failure: e => new Unanswered(id, attempt, e));
    }

    private void Answer(Answered answer)
    {
        if (!_work.TryGetValue(answer.Id, out var work) || work.Attempt != answer.Attempt)
        {
            if (answer.Reply is not WorkFailed) _duplicated++;
            return;
        }
        Release(answer.Id, work);
        if (answer.Reply is WorkFailed failed)
        {
            work.Asker.Tell(new Status.Failure(new InvalidOperationException($"role {_role} on {work.Worker?.Address}: {failed.Reason}")));
        }
        else
        {
            _completed++;
            var reply = answer.Reply;
            if (reply is Served served)
            {
                var roundTrip = Stopwatch.GetElapsedTime(work.SentAt).TotalSeconds;
                _timed?.Invoke(work.Message, new RemoteTiming(Math.Max(0, roundTrip - served.Seconds), served.WeightWaitSeconds));
                reply = served.Reply;
            }
            work.Asker.Tell(reply);
        }
    }

    private void Fail(Unanswered failure)
    {
        if (_work.TryGetValue(failure.Id, out var work) && work.Attempt == failure.Attempt) Drop(failure.Id, failure.Cause);
    }

    /// <summary>The request ends unanswered: the asker gets <paramref name="cause"/>.</summary>
    private void Drop(long id, Exception cause)
    {
        var work = _work[id];
        Release(id, work);
        _lost++;
        work.Asker.Tell(new Status.Failure(cause));
    }

    private void Release(long id, Work work)
    {
        _work.Remove(id);
        if (work.Worker is { } w) w.InHand--;
    }

    /// <summary>The size of <paramref name="message"/> on the wire.</summary>
    private long SizeOf(object message) => Context.System.Serialization.FindSerializerFor(message).ToBinary(message).LongLength;
}
