using AkkaRlhf.Runtime.Serialization;

namespace AkkaRlhf.Persistence.Runs;

/// <summary>The run journal's names: persistence ids and the allow-list manifests of its events and snapshot.</summary>
public static class RunJournal
{
    /// <summary>The prefix of every run's persistence id.</summary>
    public const string PersistenceIdPrefix = "run-";

    /// <summary>The persistence id of <paramref name="runId"/>.</summary>
    public static string PersistenceIdOf(string runId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runId);
        return PersistenceIdPrefix + runId;
    }

    /// <summary>Allow-lists the run events and <see cref="RunState"/> (idempotent). Call at start-up.</summary>
    public static MessageSerialization Register(MessageSerialization serialization)
    {
        ArgumentNullException.ThrowIfNull(serialization);
        return serialization
            .Register<RunStarted>("run.started")
            .Register<IterationCompleted>("run.iteration-completed")
            .Register<DataCursorAdvanced>("run.data-cursor-advanced")
            .Register<RngStateSaved>("run.rng-state-saved")
            .Register<CheckpointSaved>("run.checkpoint-saved")
            .Register<CheckpointsPruned>("run.checkpoints-pruned")
            .Register<RunStatusChanged>("run.status-changed")
            .Register<RunState>("run.state");
    }
}
