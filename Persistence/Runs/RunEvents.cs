namespace AkkaRlhf.Persistence.Runs;

/// <summary>An event in a run's journal (persistence id <c>run-{runId}</c>). Serialized by <see cref="RunEventSerializer"/> under the manifests of <see cref="RunJournal.Manifests"/>.</summary>
public interface IRunEvent;

/// <summary>A run began: its id, the configuration it runs with (rendered HOCON) and its seed.</summary>
public sealed record RunStarted(string RunId, string ConfigSnapshot, long Seed) : IRunEvent;

/// <summary>A training iteration finished with the policy at <paramref name="PolicyVersion"/> and these metrics.</summary>
public sealed record IterationCompleted(long Iteration, long PolicyVersion, IReadOnlyDictionary<string, double> Metrics) : IRunEvent;

/// <summary>A data source was consumed up to <paramref name="Offset"/> in <paramref name="Epoch"/> (where to resume reading).</summary>
public sealed record DataCursorAdvanced(string Source, int Epoch, long Offset) : IRunEvent;

/// <summary>The state of a named random generator, to resume it exactly.</summary>
public sealed record RngStateSaved(string Name, byte[] State) : IRunEvent;

/// <summary>A checkpoint file was written (and hashed) at training step <paramref name="Step"/>.</summary>
public sealed record CheckpointSaved(string Path, string Sha256, long Step) : IRunEvent;

/// <summary>Older checkpoints the retention policy gave up (their files may be deleted); written with the CheckpointSaved that caused it.</summary>
public sealed record CheckpointsPruned(IReadOnlyList<string> Paths) : IRunEvent;

/// <summary>The run's status changed, with an optional reason (e.g. the error of a failed run).</summary>
public sealed record RunStatusChanged(RunStatus Status, string? Reason = null) : IRunEvent;
