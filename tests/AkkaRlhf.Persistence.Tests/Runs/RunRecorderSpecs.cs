using Akka.Actor;
using AkkaRlhf.Persistence.Runs;
using AkkaRlhf.Persistence.Tests.Support;

namespace AkkaRlhf.Persistence.Tests.Runs;

/// <summary>The run journal on Akka.Persistence.Sql with an SQLite file: RunRecorder writes, RunCatalog reads through Akka.Persistence.Query.</summary>
public sealed class RunRecorderSpecs : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private readonly string _path = Journals.NewSqlitePath();
    private ActorSystem _system = null!;

    public Task InitializeAsync()
    {
        _system = ActorSystem.Create("runs", Journals.AkkaConfig(Journals.Settings(sqlitePath: _path)));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _system.Terminate();
        Journals.DeleteSqlite(_path);
    }

    private static Task<RunEventRecorded> RecordAsync(IActorRef recorder, IRunEvent e) => recorder.Ask<RunEventRecorded>(e, Timeout);

    [Fact]
    public async Task RunRecorder_must_persist_run_events_and_RunCatalog_must_list_and_show_the_run()
    {
        var recorder = _system.ActorOf(RunRecorder.Props("r1"));
        await RecordAsync(recorder, new RunStarted("r1", "ppo { lr = 1e-5 }", 42));
        await RecordAsync(recorder, new IterationCompleted(1, 1, new Dictionary<string, double> { ["reward"] = 0.5, ["kl"] = 0.01 }));
        await RecordAsync(recorder, new DataCursorAdvanced("prompts", 0, 128));
        await RecordAsync(recorder, new RngStateSaved("sampler", [1, 2, 3]));
        await RecordAsync(recorder, new IterationCompleted(2, 2, new Dictionary<string, double> { ["reward"] = 0.75, ["kl"] = 0.02 }));
        Assert.Equal(6, (await RecordAsync(recorder, new CheckpointSaved("ckpt/step-2", "ab12", 2))).SequenceNr);

        var catalog = new RunCatalog(_system);
        var summary = Assert.Single(await catalog.ListAsync());
        Assert.Equal("r1", summary.RunId);
        Assert.Equal(RunStatus.Running, summary.Status);
        Assert.Equal(2, summary.Iterations);
        Assert.Equal(2, summary.PolicyVersion);
        Assert.Equal(0.75, summary.LastMetrics["reward"]);
        Assert.Equal("ckpt/step-2", summary.LatestCheckpoint);

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
        var recorder = _system.ActorOf(RunRecorder.Props("r2", keepLastCheckpoints: 2));
        await RecordAsync(recorder, new RunStarted("r2", "", 1));
        Assert.Empty((await RecordAsync(recorder, new CheckpointSaved("c1", "h1", 10))).CheckpointsToDelete);
        Assert.Empty((await RecordAsync(recorder, new CheckpointSaved("c2", "h2", 20))).CheckpointsToDelete);
        Assert.Equal(["c1"], (await RecordAsync(recorder, new CheckpointSaved("c3", "h3", 30))).CheckpointsToDelete);
        Assert.Equal(["c2"], (await RecordAsync(recorder, new CheckpointSaved("c4", "h4", 40))).CheckpointsToDelete);
        var state = await recorder.Ask<RunState>(GetRunState.Instance, Timeout);
        Assert.Equal(["c3", "c4"], state.Checkpoints.Select(c => c.Path));
        Assert.Equal(["c3", "c4"], (await new RunCatalog(_system).ShowAsync("r2"))!.Checkpoints.Select(c => c.Path));
    }

    [Fact]
    public async Task Told_events_must_be_journaled_in_order_before_a_later_asked_one_is_answered()
    {
        var recorder = _system.ActorOf(RunRecorder.Props("r4"));
        recorder.Tell(new RunStarted("r4", "", 3));
        for (var i = 1; i <= 50; i++) recorder.Tell(new IterationCompleted(i, i, new Dictionary<string, double> { ["i"] = i }));
        Assert.Equal(52, (await RecordAsync(recorder, new RunStatusChanged(RunStatus.Completed))).SequenceNr);
        var run = (await new RunCatalog(_system).ShowAsync("r4"))!;
        Assert.Equal(Enumerable.Range(1, 50).Select(i => (double)i), run.Iterations.Select(it => it.Metrics["i"]));
        Assert.Equal(RunStatus.Completed, run.Status);
    }

    [Fact]
    public void CheckpointRetention_must_select_all_but_the_newest_by_step()
    {
        var retention = new CheckpointRetention(2);
        Assert.Equal(["b", "a"], retention.SelectForDeletion([new("b", "", 5), new("c", "", 30), new("a", "", 7), new("d", "", 20)]));
        Assert.Empty(CheckpointRetention.KeepAll.SelectForDeletion([new("a", "", 1), new("b", "", 2)]));
    }
}
