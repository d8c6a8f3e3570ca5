using AkkaRlhf.Persistence.Runs;
using AkkaRlhf.Persistence.Sql;
using AkkaRlhf.Persistence.Tests.Support;
using AkkaRlhf.Runtime;
using Xunit.Abstractions;

namespace AkkaRlhf.Persistence.Tests.Runs;

/// <summary>The run journal on SQLite: RunRecorder writes, RunCatalog reads.</summary>
public sealed class RunRecorderSpec : TestKit.TestKit
{
    private readonly string _path = TestSystems.NewSqlitePath();

    public RunRecorderSpec(ITestOutputHelper output) : base(output)
    {
        RunJournal.Register(Sys.Serialization);
        PersistenceExtension.Configure(Sys, PersistenceSettings.Default with { Provider = PersistenceProvider.Sqlite, Sqlite = new SqliteOptions(_path) });
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        TestSystems.DeleteSqlite(_path);
    }

    [Fact]
    public async Task RunRecorder_must_persist_run_events_and_RunCatalog_must_list_and_show_the_run()
    {
        var recorder = Sys.ActorOf(RunRecorder.Props("r1"));
        await RecordAsync(recorder, new RunStarted("r1", "ppo { lr = 1e-5 }", 42));
        await RecordAsync(recorder, new IterationCompleted(1, 1, new Dictionary<string, double> { ["reward"] = 0.5, ["kl"] = 0.01 }));
        await RecordAsync(recorder, new DataCursorAdvanced("prompts", 0, 128));
        await RecordAsync(recorder, new RngStateSaved("sampler", [1, 2, 3]));
        await RecordAsync(recorder, new IterationCompleted(2, 2, new Dictionary<string, double> { ["reward"] = 0.75, ["kl"] = 0.02 }));
        await RecordAsync(recorder, new CheckpointSaved("ckpt/step-2.safetensors", "ab12", 2));

        var catalog = RunCatalog.For(Sys);
        var summary = Assert.Single(await catalog.ListAsync());
        Assert.Equal("r1", summary.RunId);
        Assert.Equal(RunStatus.Running, summary.Status);
        Assert.Equal(2, summary.Iterations);
        Assert.Equal(2, summary.PolicyVersion);
        Assert.Equal(0.75, summary.LastMetrics["reward"]);
        Assert.Equal("ckpt/step-2.safetensors", summary.LatestCheckpoint);

        var run = await catalog.ShowAsync("r1");
        Assert.NotNull(run);
        Assert.Equal("ppo { lr = 1e-5 }", run.ConfigSnapshot);
        Assert.Equal(42, run.Seed);
        Assert.Equal([0.5, 0.75], run.Iterations.Select(i => i.Metrics["reward"]));
        Assert.Equal(128, run.DataCursors["prompts"].Offset);
        Assert.Equal([1, 2, 3], run.RngStates["sampler"]);
        Assert.Equal("ab12", Assert.Single(run.Checkpoints).Sha256);
        Assert.Null(await catalog.ShowAsync("unknown"));
    }

    [Fact]
    public async Task RunRecorder_must_keep_the_last_N_checkpoints_and_name_the_older_ones_to_delete()
    {
        var recorder = Sys.ActorOf(RunRecorder.Props("r2", keepLastCheckpoints: 2));
        await RecordAsync(recorder, new RunStarted("r2", "", 1));
        Assert.Empty((await RecordAsync(recorder, new CheckpointSaved("c1", "h1", 10))).CheckpointsToDelete);
        Assert.Empty((await RecordAsync(recorder, new CheckpointSaved("c2", "h2", 20))).CheckpointsToDelete);
        Assert.Equal(["c1"], (await RecordAsync(recorder, new CheckpointSaved("c3", "h3", 30))).CheckpointsToDelete);
        Assert.Equal(["c2"], (await RecordAsync(recorder, new CheckpointSaved("c4", "h4", 40))).CheckpointsToDelete);
        var state = await recorder.Ask<RunState>(GetRunState.Instance);
        Assert.Equal(["c3", "c4"], state.Checkpoints.Select(c => c.Path));
        Assert.Equal(["c3", "c4"], (await RunCatalog.For(Sys).ShowAsync("r2"))!.Checkpoints.Select(c => c.Path));
    }

    [Fact]
    public async Task RunRecorder_must_recover_the_run_state_from_snapshot_and_events_after_a_restart()
    {
        var recorder = Sys.ActorOf(RunRecorder.Props("r3", snapshotEvery: 3));
        await RecordAsync(recorder, new RunStarted("r3", "cfg", 7));
        for (var i = 1; i <= 4; i++)
            await RecordAsync(recorder, new IterationCompleted(i, i, new Dictionary<string, double> { ["loss"] = 1.0 / i }));
        await RecordAsync(recorder, new RunStatusChanged(RunStatus.Failed, "out of memory"));
        Watch(recorder);
        Sys.Stop(recorder);
        await ExpectTerminatedAsync(recorder);

        var again = Sys.ActorOf(RunRecorder.Props("r3", snapshotEvery: 3));
        var state = await again.Ask<RunState>(GetRunState.Instance);
        Assert.Equal(RunStatus.Failed, state.Status);
        Assert.Equal("out of memory", state.StatusReason);
        Assert.Equal(4, state.Iterations.Count);
        Assert.Equal(0.25, state.LastIteration!.Metrics["loss"]);
        var summary = Assert.Single(await RunCatalog.For(Sys).ListAsync());
        Assert.Equal(RunStatus.Failed, summary.Status);
    }

    [Fact]
    public void CheckpointRetention_must_select_all_but_the_newest_by_step()
    {
        var retention = new CheckpointRetention(2);
        Assert.Equal(["b", "a"], retention.SelectForDeletion([new("b", "", 5), new("c", "", 30), new("a", "", 7), new("d", "", 20)]));
        Assert.Empty(CheckpointRetention.KeepAll.SelectForDeletion([new("a", "", 1), new("b", "", 2)]));
    }

    private async Task<RunEventRecorded> RecordAsync(IActorRef recorder, IRunEvent e) => await recorder.Ask<RunEventRecorded>(e);
}
