namespace AkkaRlhf.Hosting.Reporting;

/// <summary>Reads a report.json written by <see cref="ReportWriter"/>.</summary>
public static class ReportReader
{
    /// <summary>Reads <paramref name="path"/>: a report.json file, or a run folder holding one.</summary>
    /// <exception cref="FileNotFoundException">There is no report at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The file is not a report.</exception>
    public static RunReport Read(string path)
    {
        var file = Directory.Exists(path) ? Path.Combine(path, ReportWriter.JsonFileName) : path;
        if (!File.Exists(file)) throw new FileNotFoundException($"no report at {file}", file);
        return ReportJson.Deserialize(File.ReadAllText(file));
    }
}
