using Akka.Actor;
using Akka.Persistence.TestKit;
using AkkaRlhf.Persistence.Runs;
using AkkaRlhf.Persistence.Tests.Support;
using Xunit.Abstractions;

namespace AkkaRlhf.Persistence.Tests.Runs;

/// <summary>
/// The run journal when the journal fails, with Akka.Persistence.TestKit's TestJournal (configured through HOCON): a failed
/// write, a rejected event and a failed recovery each reach the run at once as a <see cref="RunJournalException"/> naming
/// what failed (the asker gets it, and so does the recorder's failure callback that the host's run log watches).
/// </summary>
public sealed class FaultInjectionSpecs(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(Journals.TestJournal, output: output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private ITestJournal Journal => TestJournal.FromRef(Akka.Persistence.Persistence.Instance.Apply(Sys).JournalFor(null));

    private (IActorRef Recorder, TaskCompletionSource<Exception> Failed) Start(string runId)
    {
        var failed = new TaskCompletionSource<Exception>(TaskCreationOptions.RunContinuationsAsynchronously);
        return (Sys.ActorOf(RunRecorder.Props(runId, failed: e => failed.TrySetResult(e))), failed);
    }

    [Fact]
    public async Task A_failed_write_must_fail_the_asker_and_report_the_journal_failure_and_stop_the_recorder()
    {
        var (recorder, failed) = Start("w");
        await recorder.Ask<RunEventRecorded>(new RunStarted("w", "", 1), Timeout);
        await Journal.OnWrite.Fail();
        Watch(recorder);
        var e = await Assert.ThrowsAsync<RunJournalException>(() => recorder.Ask<RunEventRecorded>(new CheckpointSaved("c", "h", 1), Timeout));
        Assert.Contains("run-w: writing CheckpointSaved #2 failed", e.Message);
        Assert.IsType<RunJournalException>(await failed.Task.WaitAsync(Timeout));
        await ExpectTerminatedAsync(recorder);
    }

    [Fact]
    public async Task A_rejected_event_must_fail_the_asker_with_a_clear_message_and_nothing_be_recorded()
    {
        var (recorder, failed) = Start("r");
        await recorder.Ask<RunEventRecorded>(new RunStarted("r", "", 1), Timeout);
        await Journal.OnWrite.Reject();
        var e = await Assert.ThrowsAsync<RunJournalException>(() => recorder.Ask<RunEventRecorded>(new CheckpointSaved("c", "h", 1), Timeout));
        Assert.Contains("run-r: the journal rejected CheckpointSaved #2", e.Message);
        await failed.Task.WaitAsync(Timeout);
        await Journal.OnWrite.Pass();
        var state = await recorder.Ask<RunState>(GetRunState.Instance, Timeout);
        Assert.Empty(state.Checkpoints);                                              // the rejected checkpoint is not in the run state
    }

    [Fact]
    public async Task A_failed_recovery_must_report_the_journal_failure_and_stop_the_recorder()
    {
        var (before, _) = Start("f");
        await before.Ask<RunEventRecorded>(new RunStarted("f", "", 1), Timeout);
        Watch(before);
        Sys.Stop(before);
        await ExpectTerminatedAsync(before);
        await Journal.OnRecovery.Fail();                                              // replaying the run's events fails
        var (recorder, failed) = Start("f");
        Watch(recorder);
        await ExpectTerminatedAsync(recorder);
        var e = await failed.Task.WaitAsync(Timeout);
        Assert.Contains("run-f: recovering the run journal failed", e.Message);
    }
}
