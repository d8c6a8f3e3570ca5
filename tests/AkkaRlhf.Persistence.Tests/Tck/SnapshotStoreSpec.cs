using AkkaRlhf.Persistence.Tests.Support;
using AkkaRlhf.Runtime;
using AkkaRlhf.Runtime.Serialization;

namespace AkkaRlhf.Persistence.Tests.Tck;

/// <summary>
/// The snapshot-store TCK (after Akka's <c>SnapshotStoreSpec</c>): every provider runs these checks. Before each
/// check, snapshots 1..5 of a fresh persistence id are saved, snapshot i taken at <see cref="Time"/>(i).
/// </summary>
public abstract class SnapshotStoreSpec : IAsyncLifetime
{
    private static readonly DateTime Origin = new(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    private readonly ActorSystem _system = TestSystems.Create();

    /// <summary>The persistence id with snapshots 1..5.</summary>
    protected string Pid { get; } = "s-" + Guid.NewGuid().ToString("N");

    /// <summary>The store under test.</summary>
    protected ISnapshotStore Store { get; private set; } = null!;

    /// <summary>Creates the provider's store.</summary>
    protected abstract Task<ISnapshotStore> CreateStoreAsync(MessageSerialization serialization);

    /// <summary>Releases the provider's store.</summary>
    protected virtual Task DisposeStoreAsync(ISnapshotStore store) => Task.CompletedTask;

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        Store = await CreateStoreAsync(_system.Serialization);
        for (var i = 1; i <= 5; i++) await Store.SaveAsync(new SnapshotMetadata(Pid, i, Time(i)), Snapshot(i));
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        await DisposeStoreAsync(Store);
        await _system.Terminate();
    }

    [StoreFact]
    public async Task SnapshotStore_must_not_load_a_snapshot_for_an_unknown_persistence_id() =>
        Assert.Null(await Store.LoadAsync("unknown-" + Guid.NewGuid(), SnapshotSelectionCriteria.Latest));

    [StoreFact]
    public async Task SnapshotStore_must_load_the_latest_snapshot()
    {
        var selected = await Store.LoadAsync(Pid, SnapshotSelectionCriteria.Latest);
        Assert.NotNull(selected);
        Assert.Equal(new SnapshotMetadata(Pid, 5, Time(5)), selected.Metadata);
        AssertSnapshot(5, selected.Snapshot);
    }

    [StoreFact]
    public async Task SnapshotStore_must_load_the_latest_snapshot_within_an_upper_sequence_number_bound() =>
        Assert.Equal(3, (await Store.LoadAsync(Pid, new SnapshotSelectionCriteria(3)))?.Metadata.SequenceNr);

    [StoreFact]
    public async Task SnapshotStore_must_load_the_latest_snapshot_within_an_upper_sequence_number_and_timestamp_bound() =>
        Assert.Equal(2, (await Store.LoadAsync(Pid, new SnapshotSelectionCriteria(4, Time(2))))?.Metadata.SequenceNr);

    [StoreFact]
    public async Task SnapshotStore_must_respect_the_lower_sequence_number_and_timestamp_bounds()
    {
        Assert.Equal(4, (await Store.LoadAsync(Pid, new SnapshotSelectionCriteria(4, DateTime.MaxValue, MinSequenceNr: 4)))?.Metadata.SequenceNr);
        Assert.Null(await Store.LoadAsync(Pid, new SnapshotSelectionCriteria(3, DateTime.MaxValue, MinSequenceNr: 4)));
        Assert.Null(await Store.LoadAsync(Pid, new SnapshotSelectionCriteria(5, Time(3), MinTimestamp: Time(4))));
        Assert.Equal(4, (await Store.LoadAsync(Pid, new SnapshotSelectionCriteria(5, Time(4), MinTimestamp: Time(4))))?.Metadata.SequenceNr);
    }

    [StoreFact]
    public async Task SnapshotStore_must_not_load_a_snapshot_with_the_None_criteria() =>
        Assert.Null(await Store.LoadAsync(Pid, SnapshotSelectionCriteria.None));

    [StoreFact]
    public async Task SnapshotStore_must_delete_a_single_snapshot_identified_by_its_sequence_number()
    {
        await Store.DeleteAsync(new SnapshotMetadata(Pid, 3));
        Assert.Equal(2, (await Store.LoadAsync(Pid, new SnapshotSelectionCriteria(3)))?.Metadata.SequenceNr);
        Assert.Equal(5, (await Store.LoadAsync(Pid, SnapshotSelectionCriteria.Latest))?.Metadata.SequenceNr);
    }

    [StoreFact]
    public async Task SnapshotStore_must_delete_the_snapshots_matching_criteria()
    {
        await Store.DeleteAsync(Pid, new SnapshotSelectionCriteria(3));
        Assert.Null(await Store.LoadAsync(Pid, new SnapshotSelectionCriteria(3)));
        Assert.Equal(4, (await Store.LoadAsync(Pid, new SnapshotSelectionCriteria(4)))?.Metadata.SequenceNr);
        await Store.DeleteAsync(Pid, new SnapshotSelectionCriteria(long.MaxValue, Time(4)));
        Assert.Equal(5, (await Store.LoadAsync(Pid, SnapshotSelectionCriteria.Latest))?.Metadata.SequenceNr);
        Assert.Null(await Store.LoadAsync(Pid, new SnapshotSelectionCriteria(4)));
    }

    [StoreFact]
    public async Task SnapshotStore_must_replace_a_snapshot_saved_again_with_the_same_sequence_number()
    {
        await Store.SaveAsync(new SnapshotMetadata(Pid, 5, Time(6)), Snapshot(55));
        var selected = await Store.LoadAsync(Pid, SnapshotSelectionCriteria.Latest);
        Assert.Equal(new SnapshotMetadata(Pid, 5, Time(6)), selected?.Metadata);
        AssertSnapshot(55, selected!.Snapshot);
    }

    [StoreFact]
    public async Task SnapshotStore_must_round_trip_a_large_snapshot()
    {
        var blob = new byte[5 * 1024 * 1024];
        new Random(7).NextBytes(blob);
        await Store.SaveAsync(new SnapshotMetadata(Pid, 6, Time(6)), new TestSnapshot(["large"], blob));
        var loaded = (TestSnapshot)(await Store.LoadAsync(Pid, SnapshotSelectionCriteria.Latest))!.Snapshot;
        Assert.Equal(["large"], loaded.Items);
        Assert.True(blob.AsSpan().SequenceEqual(loaded.Blob));
    }

    [StoreFact]
    public async Task SnapshotStore_must_fail_to_save_a_snapshot_that_is_not_allow_listed() =>
        await Assert.ThrowsAsync<MessageSerializationException>(() => Store.SaveAsync(new SnapshotMetadata(Pid, 6, Time(6)), new NotAllowListed("x")));

    [StoreFact]
    public async Task SnapshotStore_must_keep_persistence_ids_apart()
    {
        var other = Pid + "0";
        await Store.SaveAsync(new SnapshotMetadata(other, 9, Time(9)), Snapshot(9));
        await Store.DeleteAsync(other, SnapshotSelectionCriteria.Latest);
        Assert.Null(await Store.LoadAsync(other, SnapshotSelectionCriteria.Latest));
        Assert.Equal(5, (await Store.LoadAsync(Pid, SnapshotSelectionCriteria.Latest))?.Metadata.SequenceNr);
    }

    /// <summary>When snapshot <paramref name="i"/> was taken.</summary>
    protected static DateTime Time(int i) => Origin.AddMinutes(i);

    private static TestSnapshot Snapshot(int i) => new([$"s-{i}"], [(byte)i]);

    private static void AssertSnapshot(int i, object snapshot)
    {
        var typed = Assert.IsType<TestSnapshot>(snapshot);
        Assert.Equal([$"s-{i}"], typed.Items);
        Assert.Equal([(byte)i], typed.Blob);
    }
}
