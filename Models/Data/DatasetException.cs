namespace AkkaRlhf.Models.Data;

/// <summary>
/// A bad row of a dataset file. The message names the file, the 1-based line and the field, e.g.
/// <c>data/prefs.jsonl:17: field "chosen": missing</c>.
/// </summary>
public sealed class DatasetException : Exception
{
    /// <summary>The file (as given to the reader), or null while the row is being parsed.</summary>
    public string? Path { get; }

    /// <summary>1-based line number in <see cref="Path"/>, or 0 when unknown.</summary>
    public int Line { get; }

    /// <summary>The offending field, or null when the whole row is bad (e.g. invalid JSON).</summary>
    public string? Field { get; }

    /// <summary>What is wrong, without the location (e.g. <c>missing</c>).</summary>
    public string Reason { get; }

    public DatasetException(string? path, int line, string? field, string reason, Exception? inner = null)
        : base(Format(path, line, field, reason), inner)
    {
        Path = path;
        Line = line;
        Field = field;
        Reason = reason;
    }

    /// <summary>An error about <paramref name="field"/> of the current row, before its location is known.</summary>
    public static DatasetException ForField(string field, string reason) => new(null, 0, field, reason);

    /// <summary>The same error located at <paramref name="path"/>:<paramref name="line"/>.</summary>
    public DatasetException At(string path, int line) => new(path, line, Field, Reason, InnerException);

    private static string Format(string? path, int line, string? field, string reason)
    {
        var where = path is null ? "" : line > 0 ? $"{path}:{line}: " : $"{path}: ";
        return field is null ? where + reason : $"{where}field \"{field}\": {reason}";
    }
}
