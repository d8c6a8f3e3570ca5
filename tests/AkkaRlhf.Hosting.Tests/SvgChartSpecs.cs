using System.Globalization;
using System.Xml.Linq;
using AkkaRlhf.Hosting.Reporting;

namespace AkkaRlhf.Hosting.Tests;

public sealed class SvgChartSpecs
{
    private static readonly ChartSpec Spec = new("reward", "step", "value", IntegerX: true);

    [Fact]
    public void A_chart_without_points_says_no_data()
    {
        foreach (var series in new[] { Array.Empty<ChartSeries>(), [new ChartSeries("empty", [])] })
        {
            var svg = Parse(SvgChart.Line(Spec, series));

            Assert.Contains(Texts(svg), t => t == "no data");
            Assert.Empty(Elements(svg, "polyline"));
        }
    }

    [Fact]
    public void Non_finite_points_are_skipped_and_break_the_line()
    {
        var points = new[] { 1.0, 2, double.NaN, 4, 5, double.PositiveInfinity, 7 }
            .Select((y, i) => new ChartPoint(i + 1, y)).ToList();

        var text = SvgChart.Line(Spec, [new ChartSeries("reward", points)]);
        var svg = Parse(text);

        Assert.Equal(2, Elements(svg, "polyline").Count());                   // 1-2 and 4-5
        Assert.Single(Elements(svg, "circle"));                                // the lone 7
        Assert.DoesNotContain("NaN", text);
        Assert.DoesNotContain("Infinity", text);
    }

    [Fact]
    public void A_constant_series_gets_a_range_around_its_value()
    {
        var svg = Parse(SvgChart.Line(Spec, [new ChartSeries("kl", [new(1, 0.5), new(2, 0.5), new(3, 0.5)])]));

        var yTicks = Texts(svg).Where(t => t.Contains('.')).Select(t => double.Parse(t, CultureInfo.InvariantCulture)).ToList();
        Assert.True(yTicks.Min() < 0.5 && yTicks.Max() > 0.5, string.Join(", ", yTicks));
        var y = Elements(svg, "polyline").Single().Attribute("points")!.Value.Split(' ').Select(p => p.Split(',')[1]).Distinct();
        Assert.Single(y);
    }

    [Fact]
    public void A_single_point_is_drawn_as_a_marker()
    {
        var svg = Parse(SvgChart.Line(Spec, [new ChartSeries("x", [new(3, 0)])]));

        Assert.Single(Elements(svg, "circle"));
    }

    [Fact]
    public void Axes_have_nice_ticks_labels_and_a_legend_entry_per_series()
    {
        var series = new[]
        {
            new ChartSeries("reward", Enumerable.Range(1, 100).Select(i => new ChartPoint(i, i / 100.0)).ToList()),
            new ChartSeries("kl", Enumerable.Range(1, 100).Select(i => new ChartPoint(i, i / 400.0)).ToList()),
        };

        var texts = Texts(Parse(SvgChart.Line(Spec, series)));

        Assert.Contains("0.0", texts);
        Assert.Contains("1.0", texts);
        Assert.Contains("100", texts);
        Assert.Contains("step", texts);
        Assert.Contains("value", texts);
        Assert.Contains("reward", texts);
        Assert.Contains("kl", texts);
    }

    [Fact]
    public void Scatter_points_are_labelled_and_all_text_is_escaped()
    {
        var text = SvgChart.Scatter(new ChartSpec("a <b> & \"c\"", "x", "y"),
            [new ChartSeries("P<P>O", [new(0.1, 0.5, "β=0.1"), new(0.5, 0.7, "β=<2>")])]);
        var svg = Parse(text);

        Assert.Equal(2, Elements(svg, "circle").Count());
        Assert.Contains("β=<2>", Texts(svg));
        Assert.Contains("a <b> & \"c\"", Texts(svg));
        Assert.Contains("P<P>O", Texts(svg));
    }

    [Fact]
    public void A_scatter_series_that_is_not_joined_has_markers_only()
    {
        var svg = Parse(SvgChart.Scatter(new ChartSpec("models", "kl", "reward"),
            [new ChartSeries("sweep", [new(0, 0), new(1, 1)]), new ChartSeries("models", [new(0, 1), new(1, 0)]) { Joined = false }]));

        Assert.Single(Elements(svg, "polyline"));
        Assert.Equal(4, Elements(svg, "circle").Count());
    }

    [Theory]
    [InlineData(0.13, 0.87, 0.1, 0.9, 0.1)]
    [InlineData(1, 300, 0, 300, 50)]
    [InlineData(-0.004, 0.013, -0.005, 0.015, 0.005)]
    public void Nice_scales_cover_the_data_with_round_steps(double low, double high, double min, double max, double step)
    {
        var scale = NiceScale.For(low, high);

        Assert.Equal(min, scale.Min, 9);
        Assert.Equal(max, scale.Max, 9);
        Assert.Equal(step, scale.Step, 9);
    }

    private static XElement Parse(string svg) => XDocument.Parse(svg).Root!;

    private static IEnumerable<XElement> Elements(XElement svg, string name) => svg.Descendants().Where(e => e.Name.LocalName == name);

    private static List<string> Texts(XElement svg) => Elements(svg, "text").Select(t => t.Value).ToList();
}
