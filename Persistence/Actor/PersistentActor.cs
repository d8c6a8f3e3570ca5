using AkkaRlhf.Runtime;

namespace AkkaRlhf.Persistence;

/// <summary>
/// An event-sourced actor (Akka's <c>PersistentActor</c>). At start it recovers: the latest snapshot is offered to
/// <see cref="ReceiveRecover"/> as a <see cref="SnapshotOffer"/>, then every later event, then
/// <see cref="RecoveryCompleted"/>. Commands go to <see cref="ReceiveCommand"/>, which calls <see cref="Persist{TEvent}"/>:
/// the event is written to the journal and then its handler runs (update the state there).
/// <para>
/// Commands that arrive during recovery or while events are being written wait in the mailbox and are then
/// processed in arrival order. Every journal call completes or fails within the configured call timeout, behind a
/// circuit breaker: a failed write calls <see cref="OnPersistFailure"/> and stops the actor (the state may not match
/// the journal any more); a failed recovery calls <see cref="OnRecoveryFailure"/> and stops it; a rejected write
/// (the event cannot be serialized) calls <see cref="OnPersistRejected"/> and the actor goes on.
/// </para>
/// <para>Use <see cref="Become(Receive)"/> of this class, not <c>Context.Become</c>, to change the command behavior.</para>
/// </summary>
public abstract class PersistentActor : ActorBase
{
    private readonly PersistenceExtension _persistence;
    private readonly List<PendingWrite> _pending = [];
    private Receive? _commandBehavior;
    private long _sequenceNr;
    private bool _writing;

    /// <summary>Starts recovery (it runs once construction and PreStart are done, before any command).</summary>
    protected PersistentActor()
    {
        _persistence = PersistenceExtension.Get(Context.System);
        RunTask(RecoverAsync);
    }

    /// <summary>The id of this actor's event stream: stable across restarts and processes, unique among actors.</summary>
    public abstract string PersistenceId { get; }

    /// <summary>How this actor recovers; <see cref="Persistence.Recovery.Default"/> unless overridden.</summary>
    public virtual Recovery Recovery => Recovery.Default;

    /// <summary>The sequence number of the last event recovered or persisted (0 when none).</summary>
    public long LastSequenceNr { get; private set; }

    /// <summary>The sequence number of the snapshot recovery started from (0 when none).</summary>
    public long SnapshotSequenceNr { get; private set; }

    /// <summary>True until <see cref="RecoveryCompleted"/> has been handled.</summary>
    public bool IsRecovering { get; private set; } = true;

    /// <summary>The journal (behind its breaker).</summary>
    protected IJournal Journal => _persistence.Journal;

    /// <summary>The snapshot store (behind its breaker).</summary>
    protected ISnapshotStore SnapshotStore => _persistence.SnapshotStore;

    /// <summary>Handles recovery messages: <see cref="SnapshotOffer"/>, replayed events, <see cref="RecoveryCompleted"/>.</summary>
    protected abstract bool ReceiveRecover(object message);

    /// <summary>Handles commands.</summary>
    protected abstract bool ReceiveCommand(object message);

    /// <summary>Replaces the command behavior (instead of <see cref="ReceiveCommand"/>) until the next call.</summary>
    protected new void Become(Receive receive) => _commandBehavior = receive;

    /// <summary>
    /// Writes <paramref name="event"/> to the journal, then calls <paramref name="handler"/> with it (on the actor's turn,
    /// with the command's <c>Sender</c>). No command is processed in between.
    /// </summary>
    /// <exception cref="InvalidOperationException">Called during recovery.</exception>
    protected void Persist<TEvent>(TEvent @event, Action<TEvent> handler) where TEvent : notnull =>
        PersistAll([@event], handler);

    /// <summary>Writes <paramref name="events"/> atomically (all or none), then calls <paramref name="handler"/> for each in order.</summary>
    /// <exception cref="InvalidOperationException">Called during recovery.</exception>
    protected void PersistAll<TEvent>(IEnumerable<TEvent> events, Action<TEvent> handler) where TEvent : notnull
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(handler);
        if (IsRecovering) throw new InvalidOperationException("Cannot persist during recovery: persist in command handlers (or in RecoveryCompleted's handler).");
        var list = events.ToList();
        if (list.Count == 0) return;
        var payload = list.Select(e => new Persistent(e, ++_sequenceNr, PersistenceId)).ToList();
        _pending.Add(new PendingWrite(new AtomicWrite(payload), e => handler((TEvent)e)));
    }

    /// <summary>Saves <paramref name="snapshot"/> as of <see cref="LastSequenceNr"/>; tells Self <see cref="SaveSnapshotSuccess"/> or <see cref="SaveSnapshotFailure"/>.</summary>
    protected void SaveSnapshot(object snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var metadata = new SnapshotMetadata(PersistenceId, LastSequenceNr, DateTime.UtcNow);
        Notify(SnapshotStore.SaveAsync(metadata, snapshot), () => new SaveSnapshotSuccess(metadata), e => new SaveSnapshotFailure(metadata, e));
    }

    /// <summary>Deletes the snapshot at <paramref name="sequenceNr"/>; tells Self <see cref="DeleteSnapshotSuccess"/> or <see cref="DeleteSnapshotFailure"/>.</summary>
    protected void DeleteSnapshot(long sequenceNr)
    {
        var metadata = new SnapshotMetadata(PersistenceId, sequenceNr);
        Notify(SnapshotStore.DeleteAsync(metadata), () => new DeleteSnapshotSuccess(metadata), e => new DeleteSnapshotFailure(metadata, e));
    }

    /// <summary>Deletes the snapshots matching <paramref name="criteria"/>; tells Self <see cref="DeleteSnapshotsSuccess"/> or <see cref="DeleteSnapshotsFailure"/>.</summary>
    protected void DeleteSnapshots(SnapshotSelectionCriteria criteria)
    {
        ArgumentNullException.ThrowIfNull(criteria);
        Notify(SnapshotStore.DeleteAsync(PersistenceId, criteria), () => new DeleteSnapshotsSuccess(criteria), e => new DeleteSnapshotsFailure(criteria, e));
    }

    /// <summary>
    /// Deletes the events up to <paramref name="toSequenceNr"/> (capped at <see cref="LastSequenceNr"/>); tells Self
    /// <see cref="DeleteMessagesSuccess"/> or <see cref="DeleteMessagesFailure"/>. Sequence numbers continue after it.
    /// </summary>
    protected void DeleteMessages(long toSequenceNr)
    {
        var to = Math.Min(toSequenceNr, LastSequenceNr);
        Notify(Journal.DeleteMessagesToAsync(PersistenceId, to), () => new DeleteMessagesSuccess(to), e => new DeleteMessagesFailure(e, to));
    }

    /// <summary>A write failed (store error, timeout, open breaker). Logs; the actor is then stopped.</summary>
    protected virtual void OnPersistFailure(Exception cause, object @event, long sequenceNr) =>
        Log.Error(cause, $"Failed to persist event type [{@event.GetType().Name}] with sequence number [{sequenceNr}] " +
            $"for persistenceId [{PersistenceId}]: {cause.Message}. Stopping the actor.");

    /// <summary>The journal rejected a write (e.g. the event cannot be serialized). Logs a warning; the actor goes on, the handler is not called.</summary>
    protected virtual void OnPersistRejected(Exception cause, object @event, long sequenceNr) =>
        Log.Warning($"Rejected to persist event type [{@event.GetType().Name}] with sequence number [{sequenceNr}] " +
            $"for persistenceId [{PersistenceId}]: {cause.Message}");

    /// <summary>Recovery failed (store error, timeout, a failing recovery handler). Logs; the actor is then stopped.</summary>
    protected virtual void OnRecoveryFailure(Exception cause, object? @event) =>
        Log.Error(cause, $"Recovery failed for persistenceId [{PersistenceId}]" +
            (@event is null ? "" : $" while replaying [{@event.GetType().Name}] at sequence number [{LastSequenceNr}]") +
            $": {cause.Message}. Stopping the actor.");

    /// <inheritdoc />
    protected sealed override bool Receive(object message)
    {
        var handled = _commandBehavior is { } behavior ? behavior(message) : ReceiveCommand(message);
        // The events of this command are written in one journal call once the handler has returned; commands wait meanwhile.
        if (_pending.Count > 0 && !_writing) RunTask(FlushAsync);
        return handled;
    }

    /// <summary>Unhandled success replies of snapshot/delete calls are dropped; failures are logged as warnings.</summary>
    protected override void Unhandled(object message)
    {
        switch (message)
        {
            case SaveSnapshotSuccess or DeleteSnapshotSuccess or DeleteSnapshotsSuccess or DeleteMessagesSuccess:
                return;
            case SaveSnapshotFailure f:
                Log.Warning($"Failed to save snapshot {f.Metadata}: {f.Cause.Message}");
                return;
            case DeleteSnapshotFailure f:
                Log.Warning($"Failed to delete snapshot {f.Metadata}: {f.Cause.Message}");
                return;
            case DeleteSnapshotsFailure f:
                Log.Warning($"Failed to delete snapshots {f.Criteria}: {f.Cause.Message}");
                return;
            case DeleteMessagesFailure f:
                Log.Warning($"Failed to delete messages to {f.ToSequenceNr} of {PersistenceId}: {f.Cause.Message}");
                return;
            default:
                base.Unhandled(message);
                return;
        }
    }

    private async Task RecoverAsync()
    {
        await Task.Yield(); // leaves the constructor: the subclass is built and PreStart has run when this continues
        object? current = null;
        try
        {
            var recovery = Recovery;
            var settings = _persistence.Settings;
            if (recovery.FromSnapshot.MaxSequenceNr > 0 && recovery.ToSequenceNr > 0)
            {
                var selected = await SnapshotStore.LoadAsync(PersistenceId, recovery.FromSnapshot.Limit(recovery.ToSequenceNr));
                if (selected is not null)
                {
                    LastSequenceNr = SnapshotSequenceNr = selected.Metadata.SequenceNr;
                    current = selected.Snapshot;
                    if (!ReceiveRecover(new SnapshotOffer(selected.Metadata, selected.Snapshot))) Unhandled(selected.Snapshot);
                }
            }
            var highest = await Journal.ReadHighestSequenceNrAsync(PersistenceId, LastSequenceNr);
            var to = Math.Min(recovery.ToSequenceNr, highest);
            var remaining = recovery.ReplayMax;
            var from = LastSequenceNr + 1;
            while (from <= to && remaining > 0)
            {
                var page = new List<Persistent>();
                var max = Math.Min(remaining, settings.ReplayBatchSize);
                await Journal.ReplayMessagesAsync(PersistenceId, from, to, max, page.Add);
                foreach (var persistent in page)
                {
                    LastSequenceNr = persistent.SequenceNr;
                    current = persistent.Payload;
                    if (!ReceiveRecover(persistent.Payload)) Unhandled(persistent.Payload);
                }
                remaining -= page.Count;
                if (page.Count < max) break;
                from = page[^1].SequenceNr + 1;
            }
            current = null;
            LastSequenceNr = _sequenceNr = Math.Max(LastSequenceNr, highest);
            IsRecovering = false;
            ReceiveRecover(RecoveryCompleted.Instance);
        }
        catch (Exception e)
        {
            OnRecoveryFailure(e, current);
            Context.Stop(Self);
            return;
        }
        if (_pending.Count > 0) await FlushAsync();
    }

    private async Task FlushAsync()
    {
        if (_writing) return;
        _writing = true;
        try
        {
            while (_pending.Count > 0)
            {
                var batch = _pending.ToList();
                _pending.Clear();
                IReadOnlyList<Exception?> results;
                try
                {
                    results = await Journal.WriteMessagesAsync(batch.Select(p => p.Write).ToList());
                    if (results.Count != batch.Count)
                        throw new InvalidOperationException($"The journal answered {results.Count} results for {batch.Count} writes.");
                }
                catch (Exception e)
                {
                    var first = batch[0].Write.Payload[0];
                    OnPersistFailure(e, first.Payload, first.SequenceNr);
                    Context.Stop(Self);
                    return;
                }
                for (var i = 0; i < batch.Count; i++)
                {
                    foreach (var persistent in batch[i].Write.Payload)
                    {
                        if (results[i] is { } rejection)
                        {
                            OnPersistRejected(rejection, persistent.Payload, persistent.SequenceNr);
                            continue;
                        }
                        LastSequenceNr = persistent.SequenceNr;
                        batch[i].Handler(persistent.Payload);
                    }
                }
            }
        }
        finally { _writing = false; }
    }

    private void Notify(Task task, Func<object> success, Func<Exception, object> failure)
    {
        var self = Self;
        task.ContinueWith(t => self.Tell(t.IsCompletedSuccessfully
                ? success()
                : failure(t.Exception is { } e ? (e.InnerExceptions.Count == 1 ? e.InnerException! : e) : new TaskCanceledException(t)), self),
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private sealed record PendingWrite(AtomicWrite Write, Action<object> Handler);
}
