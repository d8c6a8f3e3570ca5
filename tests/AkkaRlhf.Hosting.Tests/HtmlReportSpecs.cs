using System.Text.RegularExpressions;
using System.Xml.Linq;
using AkkaRlhf.Hosting.Reporting;

namespace AkkaRlhf.Hosting.Tests;

public sealed partial class HtmlReportSpecs
{
    private static readonly string Html = HtmlReport.Render(SampleReports.Full());

    [Fact]
    public void Report_html_has_an_svg_per_series_and_one_for_the_beta_sweep()
    {
        var report = SampleReports.Full();

        Assert.Equal(report.Series.Count + 1, Svgs(Html).Count);
        foreach (var series in report.Series)
            Assert.Contains($"aria-label=\"{series.Stage.ToUpperInvariant()} · {series.Name}\"", Html);
        Assert.Contains("Hidden true reward vs KL to reference", Html);
    }

    [Fact]
    public void Every_svg_of_report_html_is_well_formed_xml()
    {
        foreach (var svg in Svgs(Html))
        {
            var root = XDocument.Parse(svg).Root!;
            Assert.Equal("svg", root.Name.LocalName);
            Assert.Contains(root.Descendants(), e => e.Name.LocalName == "polyline");
        }
    }

    [Fact]
    public void Report_html_as_a_whole_parses_as_xml()
    {
        var page = XDocument.Parse(Html);

        Assert.Equal("html", page.Root!.Name.LocalName);
        Assert.NotNull(page.Root.Element("head")!.Element("style"));
    }

    [Fact]
    public void Report_html_shows_every_comparison_row()
    {
        var rows = XDocument.Parse(Html).Descendants("table").First(t => (string?)t.Attribute("class") == "comparison")
            .Descendants("tbody").Elements("tr").Select(tr => tr.Elements("td").Select(td => td.Value).ToList()).ToList();

        Assert.Equal(["SFT", "PPO", "DPO"], rows.Select(r => r[0]));
        Assert.Equal("0.610 ± 0.030", rows[1][1]);
        Assert.Equal("96.3%", rows[2][2]);
        Assert.Equal("–", rows[2][4]); // DPO has no RM score
    }

    [Fact]
    public void Report_html_marks_targets_met_and_missed()
    {
        Assert.Contains("Targets: 2 of 3 met", Html);
        Assert.Equal(2, Regex.Count(Html, "✔ met"));
        Assert.Equal(1, Regex.Count(Html, "✘ missed"));
        Assert.Contains("Reward model held-out accuracy: <strong>81.0%</strong>", Html);
    }

    [Fact]
    public void Report_html_links_nothing_external_and_runs_no_script()
    {
        Assert.DoesNotMatch(ExternalReference(), Html);
        Assert.DoesNotContain("<script", Html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<link", Html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("@import", Html);
    }

    [Fact]
    public void Report_html_escapes_text_from_the_report()
    {
        Assert.Contains("run-2024-06-01-&lt;demo&gt;", Html);
        Assert.Contains("a &quot;quoted&quot; &amp; &lt;angled&gt; value", Html);
        Assert.DoesNotContain("<demo>", Html);
    }

    [Fact]
    public void Report_html_of_an_empty_report_says_so_and_is_well_formed()
    {
        var html = HtmlReport.Render(SampleReports.Empty());

        XDocument.Parse(html);
        Assert.Empty(Svgs(html));
        Assert.Contains("No models were evaluated.", html);
        Assert.Contains("No metrics were recorded.", html);
        Assert.DoesNotContain("id=\"sweep\"", html);
    }

    private static List<string> Svgs(string html) => SvgElement().Matches(html).Select(m => m.Value).ToList();

    [GeneratedRegex("<svg\\b.*?</svg>", RegexOptions.Singleline)]
    private static partial Regex SvgElement();

    [GeneratedRegex("(src|href|url)\\s*[=(]\\s*[\"']?\\s*(https?:)?//", RegexOptions.IgnoreCase)]
    private static partial Regex ExternalReference();
}
