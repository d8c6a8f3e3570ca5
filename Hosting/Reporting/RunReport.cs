namespace AkkaRlhf.Hosting.Reporting;

/// <summary>One metric over the steps of a stage, e.g. ("ppo", "true_reward").</summary>
public sealed record MetricSeries(string Stage, string Name, IReadOnlyList<MetricPoint> Points);

/// <summary>A value at a step.</summary>
public sealed record MetricPoint(int Step, double Value);

/// <summary>A row of the final table: one model (SFT, PPO, DPO, ...) evaluated on the held-out prompts.</summary>
/// <param name="Model">"SFT", "PPO", "DPO", "GRPO", ...</param>
/// <param name="TrueReward">Mean hidden (ground-truth) reward of its responses.</param>
/// <param name="TrueRewardStdErr">Standard error of that mean (the evaluation's noise).</param>
/// <param name="FluencyPercent">Percent of responses that are grammatical.</param>
/// <param name="KlToReference">Mean sequence KL(pi || pi_ref) on the evaluation prompts (0 for the reference itself).</param>
/// <param name="RewardModelScore">Mean reward-model score of its responses, when a reward model exists.</param>
public sealed record ComparisonRow(string Model, double TrueReward, double TrueRewardStdErr, double FluencyPercent,
    double KlToReference, double? RewardModelScore = null);

/// <summary>One point of a reward-vs-KL sweep over the KL coefficient beta.</summary>
public sealed record BetaSweepPoint(string Method, double Beta, double KlToReference, double TrueReward);

/// <summary>A target of the run (e.g. RM held-out accuracy >= 0.75) and whether it was met.</summary>
public sealed record TargetCheck(string Name, double Measured, string Target, bool Met);

/// <summary>How long a stage took.</summary>
public sealed record StageTiming(string Stage, double Seconds);

/// <summary>
/// Everything the demo (or a training run) reports: written as report.json and rendered as an
/// offline report.html in the run folder, and printed as a table at the end.
/// </summary>
public sealed record RunReport(
    string RunId,
    int Seed,
    DateTimeOffset Started,
    double TotalSeconds,
    IReadOnlyList<StageTiming> Stages,
    IReadOnlyList<MetricSeries> Series,
    IReadOnlyList<ComparisonRow> Comparison,
    double? RewardModelAccuracy,
    IReadOnlyList<TargetCheck> Targets,
    IReadOnlyList<BetaSweepPoint> BetaSweep,
    IReadOnlyDictionary<string, string> Settings,
    ClusterReport? Cluster = null);

/// <summary>
/// A PPO stage run across cluster members (<c>demo --cluster N</c>): the members, what happened to them (chaos), and the
/// batch accounting of the coordinator's dispatchers (sent, completed, re-sent after a member was lost, lost, duplicated),
/// per role and in total ("all").
/// </summary>
public sealed record ClusterReport(IReadOnlyList<ClusterNode> Nodes, IReadOnlyList<ClusterEvent> Events, IReadOnlyList<Actors.Messages.WorkAccounting> Batches);

/// <summary>A member process: its name, roles, process id and how it ended ("left", "killed", "running").</summary>
public sealed record ClusterNode(string Name, string Roles, int Pid, string Status);

/// <summary>Something done to the cluster at a PPO iteration (e.g. "SIGKILL rollout-1 (pid 123)").</summary>
public sealed record ClusterEvent(int Iteration, double Seconds, string What);
