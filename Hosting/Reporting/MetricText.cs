using System.Globalization;

namespace AkkaRlhf.Hosting.Reporting;

/// <summary>Short text forms of metrics and durations for progress lines.</summary>
internal static class MetricText
{
    /// <summary>"reward 0.41  kl 0.0213": the first <paramref name="max"/> metrics, three significant digits.</summary>
    public static string Format(IReadOnlyDictionary<string, double> metrics, int max = int.MaxValue) =>
        string.Join("  ", metrics.Take(max).Select(kv => $"{kv.Key} {Number(kv.Value)}"));

    /// <summary>A metric value: three significant digits ("0.41", "0.0213", "12.3"), whole numbers from 1000 up.</summary>
    public static string Number(double value) =>
        double.IsFinite(value) && Math.Abs(value) >= 1000
            ? value.ToString("0", CultureInfo.InvariantCulture)
            : value.ToString("G3", CultureInfo.InvariantCulture);

    /// <summary>"12.3s", "4m05s", "1h02m".</summary>
    public static string Duration(TimeSpan t) =>
        t.TotalSeconds < 60 ? t.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + "s"
        : t.TotalHours < 1 ? $"{(int)t.TotalMinutes}m{t.Seconds:00}s"
        : $"{(int)t.TotalHours}h{t.Minutes:00}m";
}
