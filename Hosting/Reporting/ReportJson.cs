using System.Text.Json;
using System.Text.Json.Serialization;

namespace AkkaRlhf.Hosting.Reporting;

/// <summary>
/// The one JSON shape of <see cref="RunReport"/>: camelCase, indented, members in declaration order,
/// settings sorted by key (so two runs diff cleanly), NaN and infinities written as "NaN"/"Infinity".
/// </summary>
public static class ReportJson
{
    /// <summary>The serializer options used to write and read report.json.</summary>
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals | JsonNumberHandling.AllowReadingFromString,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    /// <summary>The report as report.json text.</summary>
    public static string Serialize(RunReport report) =>
        JsonSerializer.Serialize(Stable(report), Options);

    /// <summary>A report from report.json text.</summary>
    /// <exception cref="InvalidDataException">The text is not a report.</exception>
    public static RunReport Deserialize(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<RunReport>(json, Options)
                   ?? throw new InvalidDataException("report.json holds null instead of a report");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"not a valid report.json: {e.Message}", e);
        }
    }

    /// <summary>The same report with its settings sorted by key (dictionaries have no defined order).</summary>
    private static RunReport Stable(RunReport report) => report with
    {
        Settings = new SortedDictionary<string, string>(
            report.Settings.ToDictionary(kv => kv.Key, kv => kv.Value), StringComparer.Ordinal),
    };
}
