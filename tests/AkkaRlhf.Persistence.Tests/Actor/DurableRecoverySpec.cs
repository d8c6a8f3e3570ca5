using AkkaRlhf.Persistence.Tests.Support;
using AkkaRlhf.Runtime;
using AkkaRlhf.TestKit;

namespace AkkaRlhf.Persistence.Tests.Actor;

/// <summary>
/// A persistent actor survives the end of its actor system: a second system configured with the same database
/// recovers its snapshot and events. Runs on SQLite (same file) and PostgreSQL (same database).
/// </summary>
public abstract class DurableRecoverySpec
{
    /// <summary>The settings both systems use.</summary>
    protected abstract PersistenceSettings Settings { get; }

    [StoreFact]
    public async Task PersistentActor_must_recover_its_state_after_a_restart_of_the_actor_system()
    {
        var id = "durable-" + Guid.NewGuid().ToString("N");
        await InSystemAsync(async (kit, _) =>
        {
            var actor = kit.Sys.ActorOf(Props.Create(() => new ListActor(id, null)));
            actor.Tell(new AddAll(["a", "b", "c"]), kit.TestActor);
            foreach (var item in new[] { "a", "b", "c" }) await kit.ExpectMsgAsync($"ack:{item}");
        });
        await InSystemAsync(async (kit, probe) =>
        {
            var actor = kit.Sys.ActorOf(Props.Create(() => new ListActor(id, probe.Ref)));
            await probe.ExpectMsgAsync("prestart");
            await probe.ExpectMsgAsync("recovered:3:a,b,c");
            actor.Tell(new Add("d"), kit.TestActor);
            await kit.ExpectMsgAsync("ack:d");
        });
    }

    [StoreFact]
    public async Task PersistentActor_must_recover_from_a_snapshot_and_later_events_after_a_restart_of_the_actor_system()
    {
        var id = "durable-snap-" + Guid.NewGuid().ToString("N");
        await InSystemAsync(async (kit, _) =>
        {
            var actor = kit.Sys.ActorOf(Props.Create(() => new ListActor(id, null)));
            actor.Tell(new AddAll(["a", "b"]), kit.TestActor);
            await kit.ExpectMsgAsync("ack:a");
            await kit.ExpectMsgAsync("ack:b");
            actor.Tell("snap", kit.TestActor);
            await kit.ExpectMsgAsync("snapshot:2");
            actor.Tell(new Add("c"), kit.TestActor);
            await kit.ExpectMsgAsync("ack:c");
        });
        await InSystemAsync(async (kit, probe) =>
        {
            kit.Sys.ActorOf(Props.Create(() => new ListActor(id, probe.Ref)));
            await probe.ExpectMsgAsync("prestart");
            await probe.ExpectMsgAsync("offer:2");
            await probe.ExpectMsgAsync("recovered:3:a,b,c");
        });
    }

    private async Task InSystemAsync(Func<Kit, TestProbe, Task> body)
    {
        var kit = new Kit();
        TestSystems.Register(kit.Sys.Serialization);
        PersistenceExtension.Configure(kit.Sys, Settings);
        try { await body(kit, kit.CreateTestProbe()); }
        finally { await kit.DisposeAsync(); }
    }

    private sealed class Kit() : TestKit.TestKit(settings: ActorSystemSettings.Default.WithStdoutLogging(false));
}

/// <summary>Durable recovery on one SQLite file.</summary>
public sealed class SqliteDurableRecoverySpec : DurableRecoverySpec, IDisposable
{
    private readonly string _path = TestSystems.NewSqlitePath();

    /// <inheritdoc />
    protected override PersistenceSettings Settings =>
        PersistenceSettings.Default with { Provider = PersistenceProvider.Sqlite, Sqlite = new Sql.SqliteOptions(_path) };

    /// <inheritdoc />
    public void Dispose() => TestSystems.DeleteSqlite(_path);
}

/// <summary>Durable recovery on the PostgreSQL test server (skipped when PostgreSQL is not installed).</summary>
[RequiresPostgreSql]
[Collection(PostgreSqlCollection.Name)]
public sealed class PostgreSqlDurableRecoverySpec(PostgreSqlServer server) : DurableRecoverySpec
{
    /// <inheritdoc />
    protected override PersistenceSettings Settings =>
        PersistenceSettings.Default with { Provider = PersistenceProvider.PostgreSql, PostgreSqlConnectionString = server.ConnectionString };
}
