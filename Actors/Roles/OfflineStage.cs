using AkkaRlhf.Actors.Messages;
using AkkaRlhf.Actors.Pipeline;
using AkkaRlhf.Runtime;
using AkkaRlhf.Torch;

namespace AkkaRlhf.Actors.Roles;

/// <summary>
/// An offline training stage (SFT, reward model, DPO) run through the actor's mailbox: on
/// <see cref="RunStage"/> it prepares (<see cref="PrepareAsync"/>), then sends itself one
/// <see cref="StageStep"/> per optimisation step, reporting each to the <see cref="IProgressReporter"/>,
/// and finally replies <see cref="StageFinished"/> with <see cref="Summarize"/>'s figures.
/// </summary>
public abstract class OfflineStage : RoleActor
{
    private IActorRef? _requester;
    private int _steps;

    protected OfflineStage(string stage, IProgressReporter progress, Device device) : base(device)
    {
        Stage = stage;
        ReceiveAsync<RunStage>(async run =>
        {
            if (_requester is not null) return;                                      // already running: a duplicate
            (_requester, _steps) = (Sender, run.Steps);
            progress.StageStarted(stage, run.Steps);
            await PrepareAsync();
            Self.Tell(new StageStep(run.BatchId, 1));
        });
        Receive<StageStep>(step =>
        {
            var metrics = Step(step.Step);
            progress.StepCompleted(stage, step.Step, metrics);
            if (step.Step < _steps) { Self.Tell(step with { Step = step.Step + 1 }); return; }
            var summary = Summarize();
            progress.StageCompleted(stage, summary);
            _requester!.Tell(new StageFinished(step.BatchId, stage, summary));
            _requester = null;
        });
    }

    /// <summary>"sft", "rm", "dpo", ...</summary>
    protected string Stage { get; }

    /// <summary>Work before the first step (e.g. asking the reference for its log-probs).</summary>
    protected virtual Task PrepareAsync() => Task.CompletedTask;

    /// <summary>One optimisation step (1-based); returns its metrics.</summary>
    protected abstract IReadOnlyDictionary<string, double> Step(int step);

    /// <summary>The stage's final figures.</summary>
    protected abstract IReadOnlyDictionary<string, double> Summarize();
}
