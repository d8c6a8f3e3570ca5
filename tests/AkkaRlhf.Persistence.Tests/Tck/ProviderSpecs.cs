using AkkaRlhf.Persistence.Memory;
using AkkaRlhf.Persistence.Sql;
using AkkaRlhf.Persistence.Tests.Support;
using AkkaRlhf.Runtime.Serialization;

namespace AkkaRlhf.Persistence.Tests.Tck;

/// <summary>The journal TCK on the in-memory provider.</summary>
public sealed class MemoryJournalSpec : JournalSpec
{
    /// <inheritdoc />
    protected override Task<IJournal> CreateJournalAsync(MessageSerialization serialization) =>
        Task.FromResult<IJournal>(new MemoryJournal(serialization));
}

/// <summary>The snapshot TCK on the in-memory provider.</summary>
public sealed class MemorySnapshotStoreSpec : SnapshotStoreSpec
{
    /// <inheritdoc />
    protected override Task<ISnapshotStore> CreateStoreAsync(MessageSerialization serialization) =>
        Task.FromResult<ISnapshotStore>(new MemorySnapshotStore(serialization));
}

/// <summary>The journal TCK on SQLite (a fresh file per spec).</summary>
public sealed class SqliteJournalSpec : JournalSpec
{
    private readonly string _path = TestSystems.NewSqlitePath();

    /// <inheritdoc />
    protected override Task<IJournal> CreateJournalAsync(MessageSerialization serialization) =>
        Task.FromResult<IJournal>(new SqlJournal(new SqliteDatabase(_path), serialization));

    /// <inheritdoc />
    protected override async Task DisposeJournalAsync(IJournal journal)
    {
        await ((SqlJournal)journal).Database.DisposeAsync();
        TestSystems.DeleteSqlite(_path);
    }
}

/// <summary>The snapshot TCK on SQLite (a fresh file per spec).</summary>
public sealed class SqliteSnapshotStoreSpec : SnapshotStoreSpec
{
    private readonly string _path = TestSystems.NewSqlitePath();

    /// <inheritdoc />
    protected override Task<ISnapshotStore> CreateStoreAsync(MessageSerialization serialization) =>
        Task.FromResult<ISnapshotStore>(new SqlSnapshotStore(new SqliteDatabase(_path), serialization));

    /// <inheritdoc />
    protected override async Task DisposeStoreAsync(ISnapshotStore store)
    {
        await ((SqlSnapshotStore)store).Database.DisposeAsync();
        TestSystems.DeleteSqlite(_path);
    }
}

/// <summary>The journal TCK on a real PostgreSQL server (skipped when PostgreSQL is not installed).</summary>
[RequiresPostgreSql]
[Collection(PostgreSqlCollection.Name)]
public sealed class PostgreSqlJournalSpec(PostgreSqlServer server) : JournalSpec
{
    /// <inheritdoc />
    protected override Task<IJournal> CreateJournalAsync(MessageSerialization serialization) =>
        Task.FromResult<IJournal>(new SqlJournal(new PostgreSqlDatabase(server.ConnectionString), serialization));

    /// <inheritdoc />
    protected override async Task DisposeJournalAsync(IJournal journal) => await ((SqlJournal)journal).Database.DisposeAsync();
}

/// <summary>The snapshot TCK on a real PostgreSQL server (skipped when PostgreSQL is not installed).</summary>
[RequiresPostgreSql]
[Collection(PostgreSqlCollection.Name)]
public sealed class PostgreSqlSnapshotStoreSpec(PostgreSqlServer server) : SnapshotStoreSpec
{
    /// <inheritdoc />
    protected override Task<ISnapshotStore> CreateStoreAsync(MessageSerialization serialization) =>
        Task.FromResult<ISnapshotStore>(new SqlSnapshotStore(new PostgreSqlDatabase(server.ConnectionString), serialization));

    /// <inheritdoc />
    protected override async Task DisposeStoreAsync(ISnapshotStore store) => await ((SqlSnapshotStore)store).Database.DisposeAsync();
}
