namespace AkkaRlhf.Actors.Pipeline;

/// <summary>
/// Receives the progress of pipeline stages ("sft", "rm", "ppo", "dpo", ...). Called from actors on
/// thread-pool threads: implementations must be thread-safe. The CLI draws progress bars from it;
/// tests and the report collect metric series from it.
/// </summary>
public interface IProgressReporter
{
    /// <summary>A stage begins; <paramref name="totalSteps"/> is its planned number of steps.</summary>
    void StageStarted(string stage, int totalSteps);

    /// <summary>Step <paramref name="step"/> (1-based) of <paramref name="stage"/> finished with these metrics.</summary>
    void StepCompleted(string stage, int step, IReadOnlyDictionary<string, double> metrics);

    /// <summary>The stage finished; <paramref name="summary"/> holds its final figures.</summary>
    void StageCompleted(string stage, IReadOnlyDictionary<string, double> summary);

    /// <summary>
    /// Work a stage does before its first step (DPO: the reference's log-probs of every pair, which takes minutes on a big
    /// model): <paramref name="done"/> of <paramref name="total"/> <paramref name="what"/>. Optional: ignored by default.
    /// </summary>
    void StagePreparing(string stage, string what, int done, int total) { }
}

/// <summary>Discards progress.</summary>
public sealed class NullProgressReporter : IProgressReporter
{
    public static readonly NullProgressReporter Instance = new();

    public void StageStarted(string stage, int totalSteps) { }
    public void StepCompleted(string stage, int step, IReadOnlyDictionary<string, double> metrics) { }
    public void StageCompleted(string stage, IReadOnlyDictionary<string, double> summary) { }
}
