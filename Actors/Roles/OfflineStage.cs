using AkkaRlhf.Actors.Messages;
using AkkaRlhf.Actors.Pipeline;
using Akka.Actor;
using TorchSharp;
using static TorchSharp.torch;

namespace AkkaRlhf.Actors.Roles;

/// <summary>
/// An offline training stage (SFT, reward model, DPO) run through the actor's mailbox: on
/// <see cref="RunStage"/> it prepares (<see cref="PrepareAsync"/>), then sends itself one
/// <see cref="StageStep"/> per optimisation step, reporting each to the <see cref="IProgressReporter"/>,
/// and finally replies <see cref="StageFinished"/> with <see cref="Summarize"/>'s figures. An exception in
/// <see cref="PrepareAsync"/> or a step replies <see cref="Status.Failure"/> to the requester at once and
/// rethrows (the supervisor decides), so the caller never waits for its timeout.
/// </summary>
public abstract class OfflineStage : RoleActor
{
    private IActorRef? _requester;
    private int _steps;

    protected OfflineStage(string stage, IProgressReporter progress, Device device) : base(device)
    {
        Stage = stage;
        Progress = progress;
        ReceiveAsync<RunStage>(async run =>
        {
            if (_requester is not null) return;                                      // already running: a duplicate
            (_requester, _steps) = (Sender, run.Steps);
            progress.StageStarted(stage, run.Steps);
            try
            {
                await PrepareAsync();
                if (FirstStep <= _steps) Self.Tell(new StageStep(run.BatchId, FirstStep));
                else Finish(run.BatchId);
            }
            catch (Exception e) { Fail(e); throw; }
        });
        Receive<StageStep>(step =>
        {
            try
            {
                var metrics = Step(step.Step);
                progress.StepCompleted(stage, step.Step, metrics);
                AfterStep(step.Step, _steps, metrics);
                if (step.Step < _steps) { Self.Tell(step with { Step = step.Step + 1 }); return; }
                Finish(step.BatchId);
            }
            catch (Exception e) { Fail(e); throw; }
        });

        void Finish(long batchId)
        {
            var summary = Summarize();
            progress.StageCompleted(stage, summary);
            _requester!.Tell(new StageFinished(batchId, stage, summary));
            _requester = null;
        }

        void Fail(Exception e)                                                        // the caller hears of it now, not at its timeout
        {
            _requester?.Tell(new Status.Failure(new InvalidOperationException($"{stage} stage failed: {e.Message}", e)));
            _requester = null;
        }
    }

    /// <summary>The first step to run (above 1 when resumed from a checkpoint).</summary>
    protected virtual int FirstStep => 1;

    /// <summary>After step <paramref name="step"/> of <paramref name="steps"/> is reported (e.g. journal it, checkpoint).</summary>
    protected virtual void AfterStep(int step, int steps, IReadOnlyDictionary<string, double> metrics) { }

    /// <summary>"sft", "rm", "dpo", ...</summary>
    protected string Stage { get; }

    /// <summary>Work before the first step (e.g. asking the reference for its log-probs).</summary>
    /// <summary>Where the stage reports (e.g. <see cref="IProgressReporter.StagePreparing"/> from <see cref="PrepareAsync"/>).</summary>
    protected IProgressReporter Progress { get; }

    protected virtual Task PrepareAsync() => Task.CompletedTask;

    /// <summary>One optimisation step (1-based); returns its metrics.</summary>
    protected abstract IReadOnlyDictionary<string, double> Step(int step);

    /// <summary>The stage's final figures.</summary>
    protected abstract IReadOnlyDictionary<string, double> Summarize();
}
