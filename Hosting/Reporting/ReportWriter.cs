using System.Text;

namespace AkkaRlhf.Hosting.Reporting;

/// <summary>The files <see cref="ReportWriter.Write"/> produced.</summary>
/// <param name="Json">Path of report.json.</param>
/// <param name="Html">Path of report.html.</param>
public sealed record ReportFiles(string Json, string Html);

/// <summary>Writes a run's report into its folder: report.json (data) and report.html (one offline page).</summary>
public static class ReportWriter
{
    /// <summary>Name of the JSON report inside a run folder.</summary>
    public const string JsonFileName = "report.json";

    /// <summary>Name of the HTML report inside a run folder.</summary>
    public const string HtmlFileName = "report.html";

    /// <summary>Writes report.json and report.html into <paramref name="runDir"/> (created if missing).</summary>
    public static ReportFiles Write(string runDir, RunReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        Directory.CreateDirectory(runDir);
        var files = new ReportFiles(Path.Combine(runDir, JsonFileName), Path.Combine(runDir, HtmlFileName));
        WriteAtomically(files.Json, ReportJson.Serialize(report));
        WriteAtomically(files.Html, HtmlReport.Render(report));
        return files;
    }

    /// <summary>Writes to a temporary file then renames it, so a reader never sees half a report.</summary>
    private static void WriteAtomically(string path, string text)
    {
        var temp = path + ".tmp";
        File.WriteAllText(temp, text, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        File.Move(temp, path, overwrite: true);
    }
}
