using AkkaRlhf.Hosting.Reporting;

namespace AkkaRlhf.Hosting.Tests;

public sealed class ConsoleSummarySpecs
{
    [Fact]
    public void The_summary_prints_a_row_per_model_and_the_target_marks_without_ansi_escapes()
    {
        var output = new StringWriter();

        ConsoleSummary.Print(SampleReports.Full(), output);
        var text = output.ToString();

        Assert.DoesNotContain('\u001b', text);
        foreach (var model in new[] { "SFT", "PPO", "DPO" })
            Assert.Contains(text.Split('\n'), line => line.Contains($" {model} "));
        Assert.Contains("0.610 ± 0.030", text);
        Assert.Contains("Reward model held-out accuracy: 81.0%", text);
        Assert.Contains("✔ RM held-out accuracy: 0.81 (target >= 0.75)", text);
        Assert.Contains("✘ DPO KL < 0.3: 0.41 (target < 0.3)", text);
    }

    [Fact]
    public void The_summary_of_an_empty_report_says_no_models_were_evaluated()
    {
        var output = new StringWriter();

        ConsoleSummary.Print(SampleReports.Empty(), output);

        Assert.Contains("(no models evaluated)", output.ToString());
    }

    [Fact]
    public void A_writer_other_than_the_terminal_gets_plain_output()
    {
        Assert.False(Terminal.IsInteractive(new StringWriter()));
    }
}
