using AkkaRlhf.Persistence.Tests.Support;
using AkkaRlhf.Runtime;

namespace AkkaRlhf.Persistence.Tests.Actor;

/// <summary>Adds one item.</summary>
public sealed record Add(string Item);

/// <summary>Adds several items atomically.</summary>
public sealed record AddAll(IReadOnlyList<string> Items);

/// <summary>Deletes events up to a sequence number.</summary>
public sealed record DeleteTo(long ToSequenceNr);

/// <summary>
/// A persistent list of strings for the specs. Replies "ack:item" per persisted item, answers "get" with the
/// items joined by commas and "seq" with LastSequenceNr; reports recovery and failures to the probe.
/// </summary>
public sealed class ListActor : ReceivePersistentActor
{
    private readonly List<string> _items = [];
    private readonly IActorRef? _probe;
    private IActorRef? _requester;

    public ListActor(string persistenceId, IActorRef? probe = null)
    {
        PersistenceId = persistenceId;
        _probe = probe;
        Recover<TestEvent>(e => _items.Add(e.Value));
        Recover<SnapshotOffer>(o =>
        {
            _items.Clear();
            _items.AddRange(((TestSnapshot)o.Snapshot).Items);
            _probe?.Tell($"offer:{o.Metadata.SequenceNr}");
        });
        Recover<RecoveryCompleted>(_ => _probe?.Tell($"recovered:{LastSequenceNr}:{string.Join(",", _items)}"));
        Command<Add>(a => Persist(new TestEvent(a.Item), e => { _items.Add(e.Value); Sender.Tell($"ack:{e.Value}"); }));
        Command<AddAll>(a => PersistAll(a.Items.Select(i => new TestEvent(i)), e => { _items.Add(e.Value); Sender.Tell($"ack:{e.Value}"); }));
        Command<NotAllowListed>(n => Persist(n, _ => Sender.Tell("persisted-unserializable")));
        Command<string>(s => s == "get", _ => Sender.Tell(string.Join(",", _items)));
        Command<string>(s => s == "seq", _ => Sender.Tell(LastSequenceNr));
        Command<string>(s => s == "snap", _ =>
        {
            _requester = Sender;
            SaveSnapshot(new TestSnapshot(_items.ToList(), []));
        });
        Command<SaveSnapshotSuccess>(s => _requester?.Tell($"snapshot:{s.Metadata.SequenceNr}"));
        Command<SaveSnapshotFailure>(f => _requester?.Tell($"snapshot-failed:{f.Cause.GetType().Name}"));
        Command<DeleteTo>(d =>
        {
            _requester = Sender;
            DeleteMessages(d.ToSequenceNr);
        });
        Command<DeleteMessagesSuccess>(d => _requester?.Tell($"deleted:{d.ToSequenceNr}"));
    }

    public override string PersistenceId { get; }

    protected override void PreStart()
    {
        // deliberately no base.PreStart(): recovery must not depend on it
        _probe?.Tell("prestart");
    }

    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        base.OnPersistFailure(cause, @event, sequenceNr);
        _probe?.Tell($"persist-failure:{cause.GetType().Name}:{sequenceNr}");
    }

    protected override void OnPersistRejected(Exception cause, object @event, long sequenceNr)
    {
        base.OnPersistRejected(cause, @event, sequenceNr);
        _probe?.Tell($"rejected:{sequenceNr}");
    }

    protected override void OnRecoveryFailure(Exception cause, object? @event)
    {
        base.OnRecoveryFailure(cause, @event);
        _probe?.Tell($"recovery-failure:{cause.GetType().Name}");
    }
}
