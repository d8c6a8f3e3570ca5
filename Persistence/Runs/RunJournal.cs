using Akka.Configuration;

namespace AkkaRlhf.Persistence.Runs;

/// <summary>The run journal's names: persistence ids and the manifests of its events and snapshot.</summary>
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

    /// <summary>Every type the journal stores, with its manifest (<see cref="RunEventSerializer"/>'s allow-list).</summary>
    public static IReadOnlyList<(Type Type, string Manifest)> Manifests { get; } =
    [
        (typeof(RunStarted), "run.started"),
        (typeof(IterationCompleted), "run.iteration-completed"),
        (typeof(DataCursorAdvanced), "run.data-cursor-advanced"),
        (typeof(RngStateSaved), "run.rng-state-saved"),
        (typeof(CheckpointSaved), "run.checkpoint-saved"),
        (typeof(CheckpointsPruned), "run.checkpoints-pruned"),
        (typeof(RunStatusChanged), "run.status-changed"),
        (typeof(RunState), "run.state"),
    ];

    /// <summary>Binds <see cref="RunEventSerializer"/> to the run events and the run state snapshot.</summary>
    public static Config AkkaConfig { get; } = ConfigurationFactory.ParseString($$"""
        akka.actor.serializers.run-journal = "{{typeof(RunEventSerializer).FullName}}, {{typeof(RunEventSerializer).Assembly.GetName().Name}}"
        akka.actor.serialization-bindings {
          "{{typeof(IRunEvent).FullName}}, {{typeof(IRunEvent).Assembly.GetName().Name}}" = run-journal
          "{{typeof(RunState).FullName}}, {{typeof(RunState).Assembly.GetName().Name}}" = run-journal
        }
        """);
}
