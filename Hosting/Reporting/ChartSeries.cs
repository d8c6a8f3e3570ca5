namespace AkkaRlhf.Hosting.Reporting;

/// <summary>A point of a chart; <paramref name="Label"/> is drawn beside it (scatter) and shown on hover.</summary>
public sealed record ChartPoint(double X, double Y, string? Label = null);

/// <summary>A named series of points, drawn in one colour with a legend entry.</summary>
public sealed record ChartSeries(string Name, IReadOnlyList<ChartPoint> Points)
{
    /// <summary>In a scatter chart, join the points in order with a line (default); when false, markers only, labels below them.</summary>
    public bool Joined { get; init; } = true;

    /// <summary>A series from a report's metric (x = step, y = value).</summary>
    public static ChartSeries From(MetricSeries metric) =>
        new(metric.Name, metric.Points.Select(p => new ChartPoint(p.Step, p.Value)).ToList());
}

/// <summary>What a chart shows: its title, axis labels and size in pixels.</summary>
/// <param name="Title">Drawn above the plot.</param>
/// <param name="XLabel">Below the x axis.</param>
/// <param name="YLabel">Beside the y axis (rotated).</param>
/// <param name="IntegerX">X ticks on whole numbers only (steps).</param>
public sealed record ChartSpec(string Title, string XLabel, string YLabel, bool IntegerX = false)
{
    /// <summary>Width of the SVG in pixels.</summary>
    public int Width { get; init; } = 560;

    /// <summary>Height of the SVG in pixels.</summary>
    public int Height { get; init; } = 300;
}
