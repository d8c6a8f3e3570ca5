using AkkaRlhf.Persistence.Tests.Support;
using AkkaRlhf.Runtime;
using AkkaRlhf.Runtime.Serialization;

namespace AkkaRlhf.Persistence.Tests.Tck;

/// <summary>
/// The journal TCK (after Akka's <c>JournalSpec</c>): every provider runs these checks. Before each check,
/// events 1..5 of a fresh persistence id are written one AtomicWrite each.
/// </summary>
public abstract class JournalSpec : IAsyncLifetime
{
    private readonly ActorSystem _system = TestSystems.Create();

    /// <summary>The persistence id with events 1..5.</summary>
    protected string Pid { get; } = "p-" + Guid.NewGuid().ToString("N");

    /// <summary>The journal under test.</summary>
    protected IJournal Journal { get; private set; } = null!;

    /// <summary>Creates the provider's journal.</summary>
    protected abstract Task<IJournal> CreateJournalAsync(MessageSerialization serialization);

    /// <summary>Releases the provider's journal.</summary>
    protected virtual Task DisposeJournalAsync(IJournal journal) => Task.CompletedTask;

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        Journal = await CreateJournalAsync(_system.Serialization);
        await WriteAsync(Pid, 1, 5);
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        await DisposeJournalAsync(Journal);
        await _system.Terminate();
    }

    [StoreFact]
    public async Task Journal_must_replay_all_messages() =>
        Assert.Equal(new long[] { 1, 2, 3, 4, 5 }, await ReplayAsync(1, long.MaxValue, long.MaxValue));

    [StoreFact]
    public async Task Journal_must_replay_messages_using_a_lower_sequence_number_bound() =>
        Assert.Equal(new long[] { 3, 4, 5 }, await ReplayAsync(3, long.MaxValue, long.MaxValue));

    [StoreFact]
    public async Task Journal_must_replay_messages_using_an_upper_sequence_number_bound() =>
        Assert.Equal(new long[] { 1, 2, 3 }, await ReplayAsync(1, 3, long.MaxValue));

    [StoreFact]
    public async Task Journal_must_replay_messages_using_a_count_limit() =>
        Assert.Equal(new long[] { 1, 2, 3 }, await ReplayAsync(1, long.MaxValue, 3));

    [StoreFact]
    public async Task Journal_must_replay_messages_using_a_lower_and_upper_sequence_number_bound() =>
        Assert.Equal(new long[] { 2, 3 }, await ReplayAsync(2, 3, long.MaxValue));

    [StoreFact]
    public async Task Journal_must_replay_messages_using_lower_and_upper_bounds_and_a_count_limit() =>
        Assert.Equal(new long[] { 2, 3 }, await ReplayAsync(2, 5, 2));

    [StoreFact]
    public async Task Journal_must_replay_exactly_one_message_when_lower_and_upper_bound_are_equal() =>
        Assert.Equal(new long[] { 2 }, await ReplayAsync(2, 2, long.MaxValue));

    [StoreFact]
    public async Task Journal_must_replay_exactly_one_message_when_the_count_limit_is_one() =>
        Assert.Equal(new long[] { 1 }, await ReplayAsync(1, long.MaxValue, 1));

    [StoreFact]
    public async Task Journal_must_not_replay_messages_when_the_count_limit_is_zero() =>
        Assert.Empty(await ReplayAsync(1, long.MaxValue, 0));

    [StoreFact]
    public async Task Journal_must_not_replay_messages_when_the_lower_bound_is_greater_than_the_upper_bound() =>
        Assert.Empty(await ReplayAsync(3, 2, long.MaxValue));

    [StoreFact]
    public async Task Journal_must_not_replay_messages_for_an_unknown_persistence_id() =>
        Assert.Empty(await ReplayAsync(1, long.MaxValue, long.MaxValue, "unknown-" + Guid.NewGuid()));

    [StoreFact]
    public async Task Journal_must_replay_events_with_their_payload_persistence_id_and_timestamp()
    {
        var replayed = new List<Persistent>();
        await Journal.ReplayMessagesAsync(Pid, 2, 2, 1, replayed.Add);
        var single = Assert.Single(replayed);
        Assert.Equal(new TestEvent("e-2"), single.Payload);
        Assert.Equal(Pid, single.PersistenceId);
        Assert.Equal(2, single.SequenceNr);
        Assert.InRange(single.Timestamp, DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeMilliseconds(), DateTimeOffset.UtcNow.AddMinutes(1).ToUnixTimeMilliseconds());
    }

    [StoreFact]
    public async Task Journal_must_not_replay_deleted_messages()
    {
        await Journal.DeleteMessagesToAsync(Pid, 3);
        Assert.Equal(new long[] { 4, 5 }, await ReplayAsync(1, long.MaxValue, long.MaxValue));
    }

    [StoreFact]
    public async Task Journal_must_return_the_highest_sequence_number_and_zero_for_an_unknown_id()
    {
        Assert.Equal(5, await Journal.ReadHighestSequenceNrAsync(Pid, 0));
        Assert.Equal(5, await Journal.ReadHighestSequenceNrAsync(Pid, 3));
        Assert.Equal(0, await Journal.ReadHighestSequenceNrAsync("unknown-" + Guid.NewGuid(), 0));
    }

    [StoreFact]
    public async Task Journal_must_keep_the_highest_sequence_number_after_deleting_all_messages()
    {
        await Journal.DeleteMessagesToAsync(Pid, 5);
        Assert.Empty(await ReplayAsync(1, long.MaxValue, long.MaxValue));
        Assert.Equal(5, await Journal.ReadHighestSequenceNrAsync(Pid, 0));
        await Journal.DeleteMessagesToAsync(Pid, long.MaxValue);
        Assert.Equal(5, await Journal.ReadHighestSequenceNrAsync(Pid, 0));
    }

    [StoreFact]
    public async Task Journal_must_continue_after_deleted_messages()
    {
        await Journal.DeleteMessagesToAsync(Pid, 5);
        await WriteAsync(Pid, 6, 7);
        Assert.Equal(new long[] { 6, 7 }, await ReplayAsync(1, long.MaxValue, long.MaxValue));
        Assert.Equal(7, await Journal.ReadHighestSequenceNrAsync(Pid, 0));
    }

    [StoreFact]
    public async Task Journal_must_write_an_atomic_write_of_several_events()
    {
        var results = await Journal.WriteMessagesAsync([new AtomicWrite([Event(Pid, 6), Event(Pid, 7), Event(Pid, 8)])]);
        Assert.Equal([null], results);
        Assert.Equal(new long[] { 6, 7, 8 }, await ReplayAsync(6, long.MaxValue, long.MaxValue));
    }

    [StoreFact]
    public async Task Journal_must_store_an_atomic_write_entirely_or_not_at_all()
    {
        // sequence number 5 already exists: the whole write (5, 6, 7) fails and 6 and 7 are not stored
        await Assert.ThrowsAnyAsync<Exception>(() => Journal.WriteMessagesAsync([new AtomicWrite([Event(Pid, 5), Event(Pid, 6), Event(Pid, 7)])]));
        Assert.Equal(5, await Journal.ReadHighestSequenceNrAsync(Pid, 0));
        Assert.Empty(await ReplayAsync(6, long.MaxValue, long.MaxValue));
    }

    [StoreFact]
    public async Task Journal_must_reject_a_write_that_cannot_be_serialized_and_store_the_others()
    {
        var results = await Journal.WriteMessagesAsync(
        [
            new AtomicWrite(Event(Pid, 6)),
            new AtomicWrite(new Persistent(new NotAllowListed("x"), 7, Pid)),
            new AtomicWrite(Event(Pid, 8)),
        ]);
        Assert.Null(results[0]);
        Assert.IsType<MessageSerializationException>(results[1]);
        Assert.Null(results[2]);
        Assert.Equal(new long[] { 6, 8 }, await ReplayAsync(6, long.MaxValue, long.MaxValue));
    }

    [StoreFact]
    public async Task Journal_must_reject_an_atomic_write_entirely_when_one_of_its_events_cannot_be_serialized()
    {
        var results = await Journal.WriteMessagesAsync([new AtomicWrite([Event(Pid, 6), new Persistent(new NotAllowListed("x"), 7, Pid)])]);
        Assert.IsType<MessageSerializationException>(Assert.Single(results));
        Assert.Empty(await ReplayAsync(6, long.MaxValue, long.MaxValue));
    }

    [StoreFact]
    public async Task Journal_must_keep_persistence_ids_apart()
    {
        var other = Pid + "0"; // a prefix of the other: must not match
        await WriteAsync(other, 1, 2);
        Assert.Equal(new long[] { 1, 2 }, await ReplayAsync(1, long.MaxValue, long.MaxValue, other));
        await Journal.DeleteMessagesToAsync(other, 2);
        Assert.Equal(new long[] { 1, 2, 3, 4, 5 }, await ReplayAsync(1, long.MaxValue, long.MaxValue));
        Assert.Equal(2, await Journal.ReadHighestSequenceNrAsync(other, 0));
    }

    [StoreFact]
    public async Task Journal_must_list_persistence_ids_by_prefix()
    {
        var prefix = "run-" + Guid.NewGuid().ToString("N")[..8] + "-";
        await WriteAsync(prefix + "b", 1, 1);
        await WriteAsync(prefix + "a", 1, 1);
        await WriteAsync("x" + prefix, 1, 1);
        var ids = await ((IPersistenceIdsQuery)Journal).CurrentPersistenceIdsAsync(prefix);
        Assert.Equal([prefix + "a", prefix + "b"], ids);
    }

    [StoreFact]
    public async Task Journal_must_round_trip_binary_payloads()
    {
        var bytes = Enumerable.Range(0, 1000).Select(i => (byte)i).ToArray();
        Assert.Equal([null], await Journal.WriteMessagesAsync([new AtomicWrite(new Persistent(bytes, 6, Pid))]));
        var replayed = new List<Persistent>();
        await Journal.ReplayMessagesAsync(Pid, 6, 6, 1, replayed.Add);
        Assert.Equal(bytes, (byte[])Assert.Single(replayed).Payload);
    }

    /// <summary>Writes events <paramref name="from"/>..<paramref name="to"/> of <paramref name="pid"/>, one AtomicWrite each.</summary>
    protected async Task WriteAsync(string pid, long from, long to)
    {
        var writes = new List<AtomicWrite>();
        for (var i = from; i <= to; i++) writes.Add(new AtomicWrite(Event(pid, i)));
        Assert.All(await Journal.WriteMessagesAsync(writes), Assert.Null);
    }

    private static Persistent Event(string pid, long sequenceNr) => new(new TestEvent($"e-{sequenceNr}"), sequenceNr, pid);

    private async Task<long[]> ReplayAsync(long from, long to, long max, string? pid = null)
    {
        var replayed = new List<Persistent>();
        await Journal.ReplayMessagesAsync(pid ?? Pid, from, to, max, replayed.Add);
        Assert.All(replayed, p => Assert.Equal(new TestEvent($"e-{p.SequenceNr}"), p.Payload));
        return replayed.Select(p => p.SequenceNr).ToArray();
    }
}
