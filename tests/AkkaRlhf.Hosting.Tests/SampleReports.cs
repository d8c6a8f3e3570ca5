using AkkaRlhf.Hosting.Reporting;

namespace AkkaRlhf.Hosting.Tests;

/// <summary>Reports used by the specs.</summary>
internal static class SampleReports
{
    /// <summary>A report with every member filled, including awkward values (NaN, markup in text).</summary>
    public static RunReport Full() => new(
        RunId: "run-2024-06-01-<demo>",
        Seed: 7,
        Started: new DateTimeOffset(2024, 6, 1, 12, 30, 0, TimeSpan.FromHours(2)),
        TotalSeconds: 184.25,
        Stages: [new("sft", 40.5), new("rm", 20.25), new("ppo", 100), new("dpo", 23.5)],
        Series:
        [
            Curve("sft", "loss", 30, i => 3.0 / (1 + 0.2 * i)),
            Curve("rm", "loss", 20, i => 0.69 - 0.01 * i),
            Curve("rm", "accuracy", 20, i => 0.5 + 0.015 * i),
            Curve("ppo", "reward", 50, i => i == 10 ? double.NaN : Math.Tanh(i / 20.0)),
            Curve("ppo", "kl", 50, i => 0.002 * i),
            Curve("dpo", "loss", 25, i => 0.69 * Math.Exp(-i / 25.0)),
        ],
        Comparison:
        [
            new("SFT", 0.12, 0.02, 97.5, 0, 0.05),
            new("PPO", 0.61, 0.03, 95.0, 0.84, 1.2),
            new("DPO", 0.48, 0.025, 96.3, 0.41),
        ],
        RewardModelAccuracy: 0.81,
        Targets:
        [
            new("RM held-out accuracy", 0.81, ">= 0.75", true),
            new("PPO beats SFT by 2 s.e.", 0.49, "> 0.05", true),
            new("DPO KL < 0.3", 0.41, "< 0.3", false),
        ],
        BetaSweep:
        [
            new("PPO", 0.01, 1.5, 0.7), new("PPO", 0.05, 0.84, 0.61), new("PPO", 0.2, 0.2, 0.3),
            new("DPO", 0.05, 0.9, 0.5), new("DPO", 0.1, 0.41, 0.48), new("DPO", 0.5, 0.1, 0.2),
        ],
        Settings: new Dictionary<string, string>
        {
            ["ppo.steps"] = "50",
            ["akka.actor.ask-timeout"] = "10s",
            ["demo.note"] = "a \"quoted\" & <angled> value",
        });

    /// <summary>A report with nothing in its lists.</summary>
    public static RunReport Empty() => new("empty", 1, DateTimeOffset.UnixEpoch, 0, [], [], [], null, [], [], new Dictionary<string, string>());

    private static MetricSeries Curve(string stage, string name, int steps, Func<int, double> f) =>
        new(stage, name, Enumerable.Range(1, steps).Select(i => new MetricPoint(i, f(i))).ToList());
}
