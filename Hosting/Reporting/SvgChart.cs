using System.Text;

namespace AkkaRlhf.Hosting.Reporting;

/// <summary>
/// Small self-contained SVG charts: auto-scaled axes with nice ticks and grid lines, axis labels,
/// a legend, several series. Non-finite points are skipped (a line breaks there); an empty chart
/// says "no data"; a constant series gets a range around its value. All text is escaped.
/// </summary>
public static class SvgChart
{
    /// <summary>Series colours, in order (Tableau 10: distinct, readable on white).</summary>
    public static IReadOnlyList<string> Palette { get; } =
        ["#4e79a7", "#f28e2b", "#e15759", "#59a14f", "#b07aa1", "#76b7b2", "#edc948", "#ff9da7", "#9c755f", "#bab0ac"];

    private const int Left = 64, Right = 16, Bottom = 44, TitleHeight = 28, LegendRow = 18;

    /// <summary>Lines through each series' points (e.g. a metric per training step).</summary>
    public static string Line(ChartSpec spec, IReadOnlyList<ChartSeries> series) => Render(spec, series, lines: true, markers: false);

    /// <summary>A marker per point, labelled, optionally joined in order (e.g. reward vs KL over a beta sweep).</summary>
    public static string Scatter(ChartSpec spec, IReadOnlyList<ChartSeries> series, bool connect = true) =>
        Render(spec, series, lines: connect, markers: true);

    private static string Render(ChartSpec spec, IReadOnlyList<ChartSeries> series, bool lines, bool markers)
    {
        var legend = LegendLayout(spec, SelfExplained(spec, series) ? [] : series);
        var top = TitleHeight + legend.Rows * LegendRow + 8;
        var finite = series.SelectMany(s => s.Points).Where(IsFinite).ToList();
        var frame = new Frame(
            new Rect(Left, top, spec.Width - Left - Right, spec.Height - top - Bottom),
            NiceScale.For(Min(finite, p => p.X), Max(finite, p => p.X), integer: spec.IntegerX),
            NiceScale.For(Min(finite, p => p.Y), Max(finite, p => p.Y), ticks: 5));

        var svg = new StringBuilder();
        svg.Append($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{spec.Width}\" height=\"{spec.Height}\" ")
           .Append($"viewBox=\"0 0 {spec.Width} {spec.Height}\" role=\"img\" aria-label=\"{XmlText.Escape(spec.Title)}\" ")
           .Append("font-family=\"system-ui, 'Segoe UI', Helvetica, Arial, sans-serif\" font-size=\"11\">\n");
        svg.Append($"<text x=\"{Left}\" y=\"18\" font-size=\"14\" font-weight=\"600\" fill=\"#222\">{XmlText.Escape(spec.Title)}</text>\n");
        DrawLegend(svg, legend);
        DrawAxes(svg, spec, frame);
        if (finite.Count == 0) DrawNoData(svg, frame.Plot);
        for (var i = 0; i < series.Count; i++) DrawSeries(svg, frame, series[i], Color(i), lines && series[i].Joined, markers);
        return svg.Append("</svg>").ToString();
    }

    /// <summary>The colour of the <paramref name="index"/>-th series.</summary>
    public static string Color(int index) => Palette[index % Palette.Count];

    private static void DrawAxes(StringBuilder svg, ChartSpec spec, Frame f)
    {
        var p = f.Plot;
        foreach (var t in f.Y.Ticks())
        {
            var y = XmlText.Coord(f.ToY(t));
            svg.Append($"<line x1=\"{p.X}\" y1=\"{y}\" x2=\"{p.X + p.Width}\" y2=\"{y}\" stroke=\"#e5e5e5\"/>")
               .Append($"<text x=\"{p.X - 6}\" y=\"{y}\" dy=\"0.32em\" text-anchor=\"end\" fill=\"#555\">{f.Y.Label(t)}</text>\n");
        }
        foreach (var t in f.X.Ticks())
        {
            var x = XmlText.Coord(f.ToX(t));
            svg.Append($"<line x1=\"{x}\" y1=\"{p.Y}\" x2=\"{x}\" y2=\"{p.Y + p.Height}\" stroke=\"#f0f0f0\"/>")
               .Append($"<line x1=\"{x}\" y1=\"{p.Y + p.Height}\" x2=\"{x}\" y2=\"{p.Y + p.Height + 4}\" stroke=\"#888\"/>")
               .Append($"<text x=\"{x}\" y=\"{p.Y + p.Height + 16}\" text-anchor=\"middle\" fill=\"#555\">{f.X.Label(t)}</text>\n");
        }
        svg.Append($"<rect x=\"{p.X}\" y=\"{p.Y}\" width=\"{p.Width}\" height=\"{p.Height}\" fill=\"none\" stroke=\"#888\"/>\n")
           .Append($"<text x=\"{XmlText.Coord(p.X + p.Width / 2.0)}\" y=\"{spec.Height - 8}\" text-anchor=\"middle\" font-size=\"12\" fill=\"#333\">{XmlText.Escape(spec.XLabel)}</text>\n")
           .Append($"<text transform=\"translate(14 {XmlText.Coord(p.Y + p.Height / 2.0)}) rotate(-90)\" text-anchor=\"middle\" font-size=\"12\" fill=\"#333\">{XmlText.Escape(spec.YLabel)}</text>\n");
    }

    private static void DrawNoData(StringBuilder svg, Rect p) =>
        svg.Append($"<text x=\"{XmlText.Coord(p.X + p.Width / 2.0)}\" y=\"{XmlText.Coord(p.Y + p.Height / 2.0)}\" text-anchor=\"middle\" font-size=\"13\" fill=\"#999\">no data</text>\n");

    private static void DrawSeries(StringBuilder svg, Frame f, ChartSeries s, string color, bool lines, bool markers)
    {
        var name = XmlText.Escape(s.Name);
        svg.Append($"<g class=\"series\" fill=\"{color}\" stroke=\"{color}\"><title>{name}</title>\n");
        foreach (var run in FiniteRuns(s.Points))
        {
            if (lines && run.Count > 1)
                svg.Append("<polyline fill=\"none\" stroke-width=\"1.8\" stroke-linejoin=\"round\" points=\"")
                   .AppendJoin(' ', run.Select(pt => $"{XmlText.Coord(f.ToX(pt.X))},{XmlText.Coord(f.ToY(pt.Y))}"))
                   .Append("\"/>\n");
            if (markers || run.Count == 1)
                foreach (var pt in run) DrawMarker(svg, f, pt, name, markers, labelBelow: !s.Joined);
        }
        svg.Append("</g>\n");
    }

    private static void DrawMarker(StringBuilder svg, Frame f, ChartPoint pt, string series, bool labelled, bool labelBelow)
    {
        var (x, y) = (f.ToX(pt.X), f.ToY(pt.Y));
        var label = pt.Label is null ? "" : XmlText.Escape(pt.Label) + ": ";
        svg.Append($"<circle cx=\"{XmlText.Coord(x)}\" cy=\"{XmlText.Coord(y)}\" r=\"{(labelled ? "3.5" : "2.5")}\" stroke=\"none\">")
           .Append($"<title>{series} {label}({XmlText.Short(pt.X, 4)}, {XmlText.Short(pt.Y, 4)})</title></circle>\n");
        if (labelled && pt.Label is not null)
            svg.Append($"<text x=\"{XmlText.Coord(x + 5)}\" y=\"{XmlText.Coord(labelBelow ? y + 14 : y - 6)}\" font-size=\"10\" stroke=\"none\" fill=\"#444\">{XmlText.Escape(pt.Label)}</text>\n");
    }

    private static void DrawLegend(StringBuilder svg, IReadOnlyList<LegendItem> items)
    {
        foreach (var item in items)
            svg.Append($"<rect x=\"{item.X}\" y=\"{item.Y - 9}\" width=\"10\" height=\"10\" rx=\"2\" fill=\"{item.Color}\"/>")
               .Append($"<text x=\"{item.X + 14}\" y=\"{item.Y}\" fill=\"#333\">{XmlText.Escape(item.Name)}</text>\n");
    }

    /// <summary>One series named like the y axis needs no legend.</summary>
    private static bool SelfExplained(ChartSpec spec, IReadOnlyList<ChartSeries> series) =>
        series.Count == 1 && series[0].Name == spec.YLabel;

    /// <summary>Legend entries laid out left to right, wrapping onto new rows.</summary>
    private static Legend LegendLayout(ChartSpec spec, IReadOnlyList<ChartSeries> series)
    {
        var items = new Legend();
        int x = Left, row = 0;
        for (var i = 0; i < series.Count; i++)
        {
            var width = 24 + (int)(series[i].Name.Length * 6.5);
            if (x + width > spec.Width - Right && x > Left) (x, row) = (Left, row + 1);
            items.Add(new LegendItem(series[i].Name, Color(i), x, TitleHeight + 12 + row * LegendRow));
            x += width;
        }
        items.Rows = series.Count == 0 ? 0 : row + 1;
        return items;
    }

    /// <summary>Consecutive runs of finite points: a line is broken where a value is NaN or infinite.</summary>
    private static IEnumerable<List<ChartPoint>> FiniteRuns(IEnumerable<ChartPoint> points)
    {
        var run = new List<ChartPoint>();
        foreach (var p in points)
        {
            if (IsFinite(p)) { run.Add(p); continue; }
            if (run.Count > 0) yield return run;
            run = [];
        }
        if (run.Count > 0) yield return run;
    }

    private static bool IsFinite(ChartPoint p) => double.IsFinite(p.X) && double.IsFinite(p.Y);

    private static double Min(List<ChartPoint> points, Func<ChartPoint, double> value) => points.Count == 0 ? 0 : points.Min(value);

    private static double Max(List<ChartPoint> points, Func<ChartPoint, double> value) => points.Count == 0 ? 1 : points.Max(value);

    private sealed record Rect(int X, int Y, int Width, int Height);

    private sealed record LegendItem(string Name, string Color, int X, int Y);

    private sealed class Legend : List<LegendItem>
    {
        public int Rows { get; set; }
    }

    /// <summary>The plot area and the scales that map data onto it.</summary>
    private sealed record Frame(Rect Plot, NiceScale X, NiceScale Y)
    {
        public double ToX(double value) => Plot.X + (value - X.Min) / (X.Max - X.Min) * Plot.Width;

        public double ToY(double value) => Plot.Y + Plot.Height - (value - Y.Min) / (Y.Max - Y.Min) * Plot.Height;
    }
}
