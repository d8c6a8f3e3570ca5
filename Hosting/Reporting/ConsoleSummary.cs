using Spectre.Console;

namespace AkkaRlhf.Hosting.Reporting;

/// <summary>
/// The end-of-run table: one row per evaluated model (hidden true reward ± standard error, fluency,
/// KL to the reference, reward-model score), then the reward model's held-out accuracy and the
/// target checks (✔ met / ✘ missed).
/// </summary>
public static class ConsoleSummary
{
    /// <summary>Prints to <paramref name="writer"/>: rich on an interactive terminal, plain text when redirected.</summary>
    public static void Print(RunReport report, TextWriter writer) => Print(report, Terminal.For(writer));

    /// <summary>Prints to a Spectre.Console console.</summary>
    public static void Print(RunReport report, IAnsiConsole console)
    {
        ArgumentNullException.ThrowIfNull(report);
        console.Write(Table(report));
        if (report.RewardModelAccuracy is { } accuracy)
            console.MarkupLine($"Reward model held-out accuracy: [bold]{XmlText.Fixed(accuracy * 100, 1)}%[/]");
        foreach (var target in report.Targets) console.MarkupLine(TargetLine(target));
    }

    /// <summary>The comparison table.</summary>
    public static Table Table(RunReport report)
    {
        var table = new Table()
            .Title($"Run {Markup.Escape(report.RunId)} (seed {report.Seed}): held-out evaluation")
            .AddColumn("Model")
            .AddColumn(new TableColumn("True reward (± s.e.)").RightAligned())
            .AddColumn(new TableColumn("Fluency %").RightAligned())
            .AddColumn(new TableColumn("KL to ref").RightAligned())
            .AddColumn(new TableColumn("RM score").RightAligned());
        foreach (var row in report.Comparison)
            table.AddRow(
                Markup.Escape(row.Model),
                $"{XmlText.Fixed(row.TrueReward, 3)} ± {XmlText.Fixed(row.TrueRewardStdErr, 3)}",
                XmlText.Fixed(row.FluencyPercent, 1),
                XmlText.Fixed(row.KlToReference, 3),
                row.RewardModelScore is { } score ? XmlText.Fixed(score, 3) : "-");
        if (report.Comparison.Count == 0) table.AddRow("[dim](no models evaluated)[/]", "", "", "", "");
        return table;
    }

    private static string TargetLine(TargetCheck t)
    {
        var mark = t.Met ? "[green]✔[/]" : "[red]✘[/]";
        return $"{mark} {Markup.Escape(t.Name)}: {XmlText.Short(t.Measured, 4)} (target {Markup.Escape(t.Target)})";
    }
}
