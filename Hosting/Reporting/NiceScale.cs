using System.Globalization;

namespace AkkaRlhf.Hosting.Reporting;

/// <summary>
/// An axis range rounded out to "nice" tick values (1, 2 or 5 times a power of ten), after
/// Heckbert's "Nice numbers for graph labels" (Graphics Gems, 1990).
/// </summary>
/// <param name="Min">Lowest tick (at or below the data).</param>
/// <param name="Max">Highest tick (at or above the data).</param>
/// <param name="Step">Distance between ticks.</param>
public sealed record NiceScale(double Min, double Max, double Step)
{
    /// <summary>A scale covering [<paramref name="low"/>, <paramref name="high"/>] with about <paramref name="ticks"/> ticks.</summary>
    /// <param name="low">Smallest data value (finite).</param>
    /// <param name="high">Largest data value (finite).</param>
    /// <param name="ticks">Wanted tick count (at least 2).</param>
    /// <param name="integer">Ticks fall on whole numbers (step counts).</param>
    public static NiceScale For(double low, double high, int ticks = 6, bool integer = false)
    {
        if (!double.IsFinite(low) || !double.IsFinite(high)) (low, high) = (0, 1);
        if (low > high) (low, high) = (high, low);
        if (high - low < Math.Max(Math.Abs(high), 1) * 1e-12) (low, high) = Widen(low);
        var step = Nice((high - low) / Math.Max(1, ticks - 1));
        if (integer) step = Math.Max(1, Math.Round(step));
        return new NiceScale(Math.Floor(low / step) * step, Math.Ceiling(high / step) * step, step);
    }

    /// <summary>The tick values from <see cref="Min"/> to <see cref="Max"/>.</summary>
    public IEnumerable<double> Ticks()
    {
        var count = (int)Math.Round((Max - Min) / Step);
        for (var i = 0; i <= count; i++) yield return Min + i * Step;
    }

    /// <summary>A tick label with just enough decimals for <see cref="Step"/>.</summary>
    public string Label(double value)
    {
        if (Math.Abs(value) < Step * 1e-9) value = 0; // -0 and rounding noise
        var magnitude = Math.Max(Math.Abs(Min), Math.Abs(Max));
        if (magnitude >= 1e6 || Step < 1e-4) return value.ToString("0.##E+0", CultureInfo.InvariantCulture);
        var decimals = Math.Clamp((int)-Math.Floor(Math.Log10(Step) + 1e-9), 0, 6);
        return value.ToString("F" + decimals, CultureInfo.InvariantCulture);
    }

    /// <summary>A range around a constant value.</summary>
    private static (double Low, double High) Widen(double value)
    {
        var pad = value == 0 ? 1 : Math.Abs(value) * 0.1;
        return (value - pad, value + pad);
    }

    /// <summary>The nice number (1, 2 or 5 x 10^k) nearest to <paramref name="x"/>.</summary>
    private static double Nice(double x)
    {
        var exponent = Math.Floor(Math.Log10(x));
        var fraction = x / Math.Pow(10, exponent);
        var nice = fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10;
        return nice * Math.Pow(10, exponent);
    }
}
