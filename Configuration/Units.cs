using System.Globalization;
using System.Text.RegularExpressions;

namespace AkkaRlhf.Configuration;

/// <summary>The "units format" of the spec: a number, optional whitespace, an optional unit name.</summary>
internal static partial class Units
{
    private static readonly Dictionary<string, decimal> NanosPerDurationUnit = Table(
        (1m, "ns nano nanos nanosecond nanoseconds"),
        (1_000m, "us micro micros microsecond microseconds"),
        (1_000_000m, "ms milli millis millisecond milliseconds"),
        (1_000_000_000m, "s second seconds"),
        (60_000_000_000m, "m minute minutes"),
        (3_600_000_000_000m, "h hour hours"),
        (86_400_000_000_000m, "d day days"));

    private static readonly Dictionary<string, decimal> BytesPerSizeUnit = SizeTable();

    /// <summary>Parses "10s", "1.5 hours", "250" (milliseconds) or "infinite".</summary>
    public static bool TryParseDuration(string text, out TimeSpan value)
    {
        value = default;
        if (text.Trim() is "infinite" or "inf") { value = Timeout.InfiniteTimeSpan; return true; }
        if (!Split(text, out var number, out var unit)) return false;
        if (!NanosPerDurationUnit.TryGetValue(unit.Length == 0 ? "ms" : unit, out var nanos)) return false;
        try
        {
            var ticks = decimal.Round(number * nanos / 100m);
            if (ticks > TimeSpan.MaxValue.Ticks || ticks < TimeSpan.MinValue.Ticks) return false;
            value = TimeSpan.FromTicks((long)ticks);
            return true;
        }
        catch (OverflowException) { return false; }
    }

    /// <summary>Parses "512", "10 kB" (10 000), "10K"/"10KiB" (10 240), "1.5 GiB" ...</summary>
    public static bool TryParseBytes(string text, out long value)
    {
        value = 0;
        if (!Split(text, out var number, out var unit) || number < 0) return false;
        if (!BytesPerSizeUnit.TryGetValue(unit.Length == 0 ? "B" : unit, out var factor)) return false;
        try
        {
            var bytes = decimal.Round(number * factor);
            if (bytes > long.MaxValue) return false;
            value = (long)bytes;
            return true;
        }
        catch (OverflowException) { return false; }
    }

    /// <summary>The valid unit names, for error messages.</summary>
    public const string DurationUnits = "ns, us, ms, s, m, h, d (or nanoseconds, micros, millis, seconds, minutes, hours, days)";
    public const string SizeUnits = "B, kB/KiB/K, MB/MiB/M, GB/GiB/G, TB/TiB/T (or bytes, kilobytes, kibibytes, ...)";

    private static bool Split(string text, out decimal number, out string unit)
    {
        var m = UnitPattern().Match(text);
        unit = m.Groups["unit"].Value;
        number = 0;
        return m.Success && decimal.TryParse(m.Groups["n"].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out number);
    }

    [GeneratedRegex(@"^\s*(?<n>[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?)\s*(?<unit>\p{L}*)\s*$")]
    private static partial Regex UnitPattern();

    private static Dictionary<string, decimal> Table(params (decimal Factor, string Names)[] rows) =>
        rows.SelectMany(r => r.Names.Split(' ').Select(n => (n, r.Factor))).ToDictionary(p => p.n, p => p.Factor, StringComparer.Ordinal);

    private static Dictionary<string, decimal> SizeTable()
    {
        var table = Table((1m, "B b byte bytes"));
        string[][] names =
        [
            ["k", "kilo", "kibi"], ["m", "mega", "mebi"], ["g", "giga", "gibi"], ["t", "tera", "tebi"],
            ["p", "peta", "pebi"], ["e", "exa", "exbi"], ["z", "zetta", "zebi"], ["y", "yotta", "yobi"],
        ];
        decimal ten = 1, two = 1;
        foreach (var row in names)
        {
            ten *= 1000m;
            two *= 1024m;
            string letter = row[0], upper = letter.ToUpperInvariant();
            foreach (var n in new[] { (letter == "k" ? "k" : upper) + "B", row[1] + "byte", row[1] + "bytes" }) table[n] = ten;
            foreach (var n in new[] { upper, letter, upper + "i", upper + "iB", row[2] + "byte", row[2] + "bytes" }) table[n] = two;
        }
        return table;
    }
}
