using System.Globalization;
using System.Text;

namespace AkkaRlhf.Hosting.Reporting;

/// <summary>Text and numbers as they may appear in HTML/SVG markup.</summary>
internal static class XmlText
{
    /// <summary>Escapes &amp; &lt; &gt; " and ' (valid in element text and in quoted attributes).</summary>
    public static string Escape(string? text)
    {
        if (string.IsNullOrEmpty(text)) return "";
        var sb = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            sb.Append(c switch
            {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                '\'' => "&#39;",
                _ when char.IsControl(c) && c is not '\n' and not '\t' => " ",
                _ => c.ToString(),
            });
        }
        return sb.ToString();
    }

    /// <summary>A coordinate: invariant culture, at most two decimals.</summary>
    public static string Coord(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>A value for a table cell: fixed decimals, "n/a" when not finite.</summary>
    public static string Fixed(double value, int decimals) =>
        double.IsFinite(value) ? value.ToString("F" + decimals, CultureInfo.InvariantCulture) : "n/a";

    /// <summary>A value with about <paramref name="digits"/> significant digits, "n/a" when not finite.</summary>
    public static string Short(double value, int digits = 3) =>
        double.IsFinite(value) ? value.ToString("G" + digits, CultureInfo.InvariantCulture) : "n/a";
}
