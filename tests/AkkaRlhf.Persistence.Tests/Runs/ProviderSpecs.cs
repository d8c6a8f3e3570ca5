using Akka.Actor;
using AkkaRlhf.Persistence.Runs;
using AkkaRlhf.Persistence.Tests.Support;

namespace AkkaRlhf.Persistence.Tests.Runs;

/// <summary>
/// The run journal survives its process on each provider: events written by one actor system are recovered by the next
/// (from the snapshot and the events after it) and read by the catalog. SQLite (a file) and a real PostgreSQL server.
/// </summary>
public abstract class ProviderSpecs
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    protected abstract PersistenceSettings Settings { get; }

    [StoreFact]
    public async Task A_run_must_be_recovered_from_snapshot_and_later_events_by_a_new_actor_system()
    {
        var runId = "p-" + Guid.NewGuid().ToString("N")[..8];
        var first = ActorSystem.Create("first", Journals.AkkaConfig(Settings));
        try
        {
            var recorder = first.ActorOf(RunRecorder.Props(runId, snapshotEvery: 3));
            await recorder.Ask<RunEventRecorded>(new RunStarted(runId, "cfg", 7), Timeout);
            for (var i = 1; i <= 4; i++)
                await recorder.Ask<RunEventRecorded>(new IterationCompleted(i, i, new Dictionary<string, double> { ["loss"] = 1.0 / i }), Timeout);
            await recorder.Ask<RunEventRecorded>(new CheckpointSaved("ckpt/step-4", "cafe", 4), Timeout);
            await recorder.Ask<RunEventRecorded>(new RunStatusChanged(RunStatus.Failed, "out of memory"), Timeout);
        }
        finally { await first.Terminate(); }

        var second = ActorSystem.Create("second", Journals.AkkaConfig(Settings));
        try
        {
            var state = await second.ActorOf(RunRecorder.Props(runId, snapshotEvery: 3)).Ask<RunState>(GetRunState.Instance, Timeout);
            Assert.Equal(RunStatus.Failed, state.Status);
            Assert.Equal("out of memory", state.StatusReason);
            Assert.Equal([1.0, 0.5, 1.0 / 3, 0.25], state.Iterations.Select(i => i.Metrics["loss"]));
            Assert.Equal("cafe", Assert.Single(state.Checkpoints).Sha256);
            var summary = Assert.Single(await new RunCatalog(second).ListAsync(), s => s.RunId == runId);
            Assert.Equal(RunStatus.Failed, summary.Status);
            Assert.Equal(4, summary.Iterations);
        }
        finally { await second.Terminate(); }
    }
}

public sealed class SqliteProviderSpecs : ProviderSpecs, IDisposable
{
    private readonly string _path = Journals.NewSqlitePath();

    protected override PersistenceSettings Settings => Journals.Settings(sqlitePath: _path);

    public void Dispose() => Journals.DeleteSqlite(_path);
}

[Collection(PostgreSqlCollection.Name)]
[RequiresPostgreSql]
public sealed class PostgreSqlProviderSpecs(PostgreSqlServer server) : ProviderSpecs
{
    protected override PersistenceSettings Settings =>
        Journals.Settings($"akka-rlhf.persistence {{ provider = postgresql, postgresql.connection-string = \"{server.ConnectionString}\" }}");
}
