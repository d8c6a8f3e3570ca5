using System.Diagnostics;
using AkkaRlhf.Persistence.Memory;
using AkkaRlhf.Persistence.Tests.Support;
using AkkaRlhf.Runtime;
using Xunit.Abstractions;

namespace AkkaRlhf.Persistence.Tests.Actor;

/// <summary>PersistentActor on the in-memory stores, with scripted failures and delays.</summary>
public sealed class PersistentActorSpec : TestKit.TestKit
{
    private readonly ScriptedJournal _journal;
    private readonly TestKit.TestProbe _probe;

    public PersistentActorSpec(ITestOutputHelper output) : base(output)
    {
        TestSystems.Register(Sys.Serialization);
        _journal = new ScriptedJournal(new MemoryJournal(Sys.Serialization));
        PersistenceExtension.Configure(Sys, _journal, new MemorySnapshotStore(Sys.Serialization),
            PersistenceSettings.Default with { CallTimeout = TimeSpan.FromMilliseconds(500), MaxFailures = 2, ReplayBatchSize = 3 });
        _probe = CreateTestProbe();
    }

    [Fact]
    public async Task PersistentActor_must_persist_events_and_recover_them_in_a_new_incarnation()
    {
        var actor = Sys.ActorOf(Props.Create(() => new ListActor("list-1", _probe.Ref)));
        await _probe.ExpectMsgAsync("prestart");
        await _probe.ExpectMsgAsync("recovered:0:");
        actor.Tell(new Add("a"));
        actor.Tell(new AddAll(["b", "c", "d", "e"]));
        foreach (var item in new[] { "a", "b", "c", "d", "e" }) await ExpectMsgAsync($"ack:{item}");
        Watch(actor);
        actor.Tell(PoisonPill.Instance);
        await ExpectTerminatedAsync(actor);

        var again = Sys.ActorOf(Props.Create(() => new ListActor("list-1", _probe.Ref)));
        await _probe.ExpectMsgAsync("prestart");
        await _probe.ExpectMsgAsync("recovered:5:a,b,c,d,e"); // 5 events in pages of 3
        again.Tell("seq");
        await ExpectMsgAsync(5L);
    }

    [Fact]
    public async Task PersistentActor_must_process_commands_sent_during_recovery_after_it_in_order()
    {
        var first = Sys.ActorOf(Props.Create(() => new ListActor("list-2")));
        first.Tell(new AddAll(["a", "b"]));
        await ExpectMsgAsync("ack:a");
        await ExpectMsgAsync("ack:b");
        Sys.Stop(first);

        _journal.ReplayDelay = TimeSpan.FromMilliseconds(200);
        var actor = Sys.ActorOf(Props.Create(() => new ListActor("list-2", _probe.Ref)));
        actor.Tell("get");
        actor.Tell(new Add("c"));
        actor.Tell("get");
        await ExpectMsgAsync("a,b");
        await ExpectMsgAsync("ack:c");
        await ExpectMsgAsync("a,b,c");
    }

    [Fact]
    public async Task PersistentActor_must_keep_commands_sent_during_a_pending_persist_in_order()
    {
        _journal.WriteDelay = TimeSpan.FromMilliseconds(100);
        var actor = Sys.ActorOf(Props.Create(() => new ListActor("list-3")));
        actor.Tell(new Add("a"));
        actor.Tell("get");
        actor.Tell(new Add("b"));
        actor.Tell("get");
        actor.Tell(new AddAll(["c", "d"]));
        actor.Tell("get");
        foreach (var expected in new[] { "ack:a", "a", "ack:b", "a,b", "ack:c", "ack:d", "a,b,c,d" }) await ExpectMsgAsync(expected);
    }

    [Fact]
    public async Task PersistentActor_restarted_from_outside_during_a_pending_write_must_not_run_the_old_instances_handler()
    {
        var gate = new TaskCompletionSource();
        _journal.WriteGate = gate.Task;
        var parent = Sys.ActorOf(Props.Create(() => new AllForOneParent("list-restart", _probe.Ref)));
        await _probe.ExpectMsgAsync("prestart");
        await _probe.ExpectMsgAsync("recovered:0:");
        parent.Tell(new Add("a"));
        await AwaitConditionAsync(() => _journal.WriteCalls == 1);

        parent.Tell("fail sibling"); // all-for-one: the list actor is restarted while its write is pending
        await _probe.ExpectMsgAsync("prestart");
        await _probe.ExpectMsgAsync("recovered:0:");
        _journal.WriteGate = null;
        gate.SetResult(); // the old instance's write completes now: its continuation belongs to a previous incarnation
        await ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300)); // no "ack:a" from the old instance
    }

    [Fact]
    public async Task PersistentActor_stopped_during_a_pending_write_must_not_run_its_handler()
    {
        var gate = new TaskCompletionSource();
        _journal.WriteGate = gate.Task;
        var actor = Sys.ActorOf(Props.Create(() => new ListActor("list-stop", _probe.Ref)));
        await _probe.ExpectMsgAsync("prestart");
        await _probe.ExpectMsgAsync("recovered:0:");
        Watch(actor);
        actor.Tell(new Add("a"));
        await AwaitConditionAsync(() => _journal.WriteCalls == 1);
        Sys.Stop(actor);
        await ExpectTerminatedAsync(actor);
        gate.SetResult();
        await ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300));
    }

    /// <summary>Supervises a persistent actor and a sibling that fails on demand, all-for-one.</summary>
    private sealed class AllForOneParent : ReceiveActor
    {
        public AllForOneParent(string persistenceId, IActorRef probe)
        {
            var child = Context.ActorOf(Props.Create(() => new ListActor(persistenceId, probe)), "list");
            var sibling = Context.ActorOf(Props.CreateBy(() => new Failing()), "sibling");
            Receive<string>(s => s == "fail sibling", _ => sibling.Tell("fail"));
            ReceiveAny(m => child.Forward(m));
        }

        protected override SupervisorStrategy SupervisorStrategy() =>
            new AllForOneStrategy(10, TimeSpan.FromMinutes(1), _ => Directive.Restart);
    }

    private sealed class Failing : ReceiveActor
    {
        public Failing() => ReceiveAny(_ => throw new InvalidOperationException("sibling failed"));
    }

    [Fact]
    public async Task PersistentActor_must_stop_with_OnPersistFailure_when_the_journal_fails()
    {
        var actor = Sys.ActorOf(Props.Create(() => new ListActor("list-4", _probe.Ref)));
        await _probe.ExpectMsgAsync("prestart");
        await _probe.ExpectMsgAsync("recovered:0:");
        _journal.FailWrites = true;
        Watch(actor);
        actor.Tell(new Add("a"));
        actor.Tell("get"); // waiting behind the failed write: must not be processed (the actor stops)
        await _probe.ExpectMsgAsync("persist-failure:IOException:1");
        await ExpectTerminatedAsync(actor);
    }

    [Fact]
    public async Task PersistentActor_must_stop_with_OnPersistFailure_within_the_call_timeout_when_the_journal_hangs()
    {
        var actor = Sys.ActorOf(Props.Create(() => new ListActor("list-5", _probe.Ref)));
        await _probe.ExpectMsgAsync("prestart");
        await _probe.ExpectMsgAsync("recovered:0:");
        _journal.HangWrites = true;
        Watch(actor);
        var clock = Stopwatch.StartNew();
        actor.Tell(new Add("a"));
        await _probe.ExpectMsgAsync("persist-failure:TimeoutException:1", TimeSpan.FromSeconds(3));
        await ExpectTerminatedAsync(actor);
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(400), TimeSpan.FromSeconds(3));
    }

    [Fact]
    public async Task PersistentActor_must_fail_fast_with_an_open_circuit_breaker_after_repeated_failures()
    {
        var actors = new List<IActorRef>();
        for (var i = 0; i < 2; i++) // MaxFailures = 2
        {
            actors.Add(Sys.ActorOf(Props.Create(() => new ListActor($"list-6-{i}", _probe.Ref))));
            await _probe.ExpectMsgAsync("prestart");
            await _probe.ExpectMsgAsync("recovered:0:");
        }
        _journal.FailWrites = true;
        foreach (var failing in actors)
        {
            failing.Tell(new Add("a"));
            await _probe.ExpectMsgAsync<string>(s => s.StartsWith("persist-failure:IOException", StringComparison.Ordinal));
        }
        // the journal still reads fine: only the open breaker can fail this recovery, and it does so without calling the journal
        Sys.ActorOf(Props.Create(() => new ListActor("list-6-x", _probe.Ref)));
        await _probe.ExpectMsgAsync("prestart");
        await _probe.ExpectMsgAsync("recovery-failure:OpenCircuitException");
    }

    [Fact]
    public async Task PersistentActor_must_call_OnPersistRejected_for_an_event_that_is_not_allow_listed_and_go_on()
    {
        var actor = Sys.ActorOf(Props.Create(() => new ListActor("list-7", _probe.Ref)));
        await _probe.ExpectMsgAsync("prestart");
        await _probe.ExpectMsgAsync("recovered:0:");
        actor.Tell(new NotAllowListed("x"));
        await _probe.ExpectMsgAsync("rejected:1");
        actor.Tell(new Add("a"));
        await ExpectMsgAsync("ack:a");
        actor.Tell("get");
        await ExpectMsgAsync("a");
    }

    [Fact]
    public async Task PersistentActor_must_recover_from_a_snapshot_and_the_events_after_it()
    {
        var actor = Sys.ActorOf(Props.Create(() => new ListActor("list-8")));
        actor.Tell(new AddAll(["a", "b"]));
        await ExpectMsgAsync("ack:a");
        await ExpectMsgAsync("ack:b");
        actor.Tell("snap");
        await ExpectMsgAsync("snapshot:2");
        actor.Tell(new Add("c"));
        await ExpectMsgAsync("ack:c");
        Sys.Stop(actor);

        Sys.ActorOf(Props.Create(() => new ListActor("list-8", _probe.Ref)));
        await _probe.ExpectMsgAsync("prestart");
        await _probe.ExpectMsgAsync("offer:2");
        await _probe.ExpectMsgAsync("recovered:3:a,b,c");
    }

    [Fact]
    public async Task PersistentActor_must_not_recover_deleted_events_and_continue_their_sequence_numbers()
    {
        var actor = Sys.ActorOf(Props.Create(() => new ListActor("list-9")));
        actor.Tell(new AddAll(["a", "b", "c"]));
        for (var i = 0; i < 3; i++) await ExpectMsgAsync<string>();
        actor.Tell(new DeleteTo(long.MaxValue));
        await ExpectMsgAsync("deleted:3");
        Sys.Stop(actor);

        var again = Sys.ActorOf(Props.Create(() => new ListActor("list-9", _probe.Ref)));
        await _probe.ExpectMsgAsync("prestart");
        await _probe.ExpectMsgAsync("recovered:3:");
        again.Tell(new Add("d"));
        await ExpectMsgAsync("ack:d");
        again.Tell("seq");
        await ExpectMsgAsync(4L);
    }
}
