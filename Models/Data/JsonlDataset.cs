using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace AkkaRlhf.Models.Data;

/// <summary>How <see cref="JsonlDataset"/> reads a file.</summary>
/// <param name="SkipInvalid">Skip bad rows (counting them and keeping the first reasons) instead of throwing.</param>
/// <param name="MaxReasons">How many skip reasons to keep.</param>
public sealed record JsonlReadOptions(bool SkipInvalid = false, int MaxReasons = 5)
{
    /// <summary>Strict: the first bad row throws a <see cref="DatasetException"/>.</summary>
    public static JsonlReadOptions Strict { get; } = new();

    /// <summary>Lenient: bad rows are skipped and counted.</summary>
    public static JsonlReadOptions Lenient { get; } = new(SkipInvalid: true);
}

/// <summary>Counters filled while a file is streamed.</summary>
public sealed class JsonlReadStats
{
    private readonly List<string> _reasons = [];

    /// <summary>Rows returned.</summary>
    public int Read { get; internal set; }

    /// <summary>Bad rows skipped (only with <see cref="JsonlReadOptions.SkipInvalid"/>).</summary>
    public int Skipped { get; internal set; }

    /// <summary>The first few skip reasons, each a full <c>file:line: field "x": reason</c> message.</summary>
    public IReadOnlyList<string> SkipReasons => _reasons;

    internal void AddReason(string reason, int max)
    {
        if (_reasons.Count < max) _reasons.Add(reason);
    }
}

/// <summary>The rows of a file, and what was skipped.</summary>
public sealed record JsonlReadResult<T>(IReadOnlyList<T> Items, int Skipped, IReadOnlyList<string> SkipReasons)
{
    public int Count => Items.Count;
}

/// <summary>
/// JSON Lines datasets: one JSON object per line, blank lines ignored, unknown fields allowed.
/// Formats: <see cref="SftExample"/>, <see cref="PreferenceExample"/>, <see cref="RankingExample"/>,
/// <see cref="PromptExample"/> (or any <see cref="IJsonlRecord{TSelf}"/>).
/// </summary>
public static class JsonlDataset
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,   // keeps non-ASCII text readable; quotes and control characters are still escaped
        Indented = false,
    };

    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 64 };

    /// <summary>Reads the whole file. Throws <see cref="DatasetException"/> on the first bad row unless <see cref="JsonlReadOptions.SkipInvalid"/>.</summary>
    public static JsonlReadResult<T> Read<T>(string path, JsonlReadOptions? options = null) where T : IJsonlRecord<T>
    {
        var stats = new JsonlReadStats();
        var items = Stream<T>(path, options, stats).ToList();
        return new JsonlReadResult<T>(items, stats.Skipped, [.. stats.SkipReasons]);
    }

    /// <summary>Streams the rows of a file line by line (lazily; the file stays open while enumerating).</summary>
    public static IEnumerable<T> Stream<T>(string path, JsonlReadOptions? options = null, JsonlReadStats? stats = null) where T : IJsonlRecord<T>
    {
        if (!File.Exists(path)) throw new DatasetException(path, 0, null, "file not found");
        return StreamFile<T>(path, options ?? JsonlReadOptions.Strict, stats ?? new JsonlReadStats());
    }

    private static IEnumerable<T> StreamFile<T>(string path, JsonlReadOptions options, JsonlReadStats stats) where T : IJsonlRecord<T>
    {
        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        foreach (var item in Stream<T>(reader, path, options, stats)) yield return item;
    }

    /// <summary>Streams rows from <paramref name="reader"/>; <paramref name="name"/> is used in error messages.</summary>
    public static IEnumerable<T> Stream<T>(TextReader reader, string name, JsonlReadOptions? options = null, JsonlReadStats? stats = null) where T : IJsonlRecord<T>
    {
        options ??= JsonlReadOptions.Strict;
        stats ??= new JsonlReadStats();
        var lineNo = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNo++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            T item;
            try
            {
                item = Parse<T>(line);
            }
            catch (DatasetException e)
            {
                var located = e.At(name, lineNo);
                if (!options.SkipInvalid) throw located;
                stats.Skipped++;
                stats.AddReason(located.Message, options.MaxReasons);
                continue;
            }
            stats.Read++;
            yield return item;
        }
    }

    /// <summary>Parses one line (no location in errors).</summary>
    public static T Parse<T>(string line) where T : IJsonlRecord<T>
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(line, DocumentOptions);
        }
        catch (JsonException e)
        {
            throw new DatasetException(null, 0, null, $"invalid JSON: {e.Message}", e);
        }
        using (doc) return T.FromJson(new JsonlRow(doc.RootElement));
    }

    /// <summary>One record as one line of JSON (no newline).</summary>
    public static string Serialize<T>(T record) where T : IJsonlRecord<T>
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, WriterOptions)) record.WriteJson(w);
        return Encoding.UTF8.GetString(ms.ToArray());
    }

    /// <summary>Writes <paramref name="records"/> to <paramref name="path"/> (one per line, UTF-8 without BOM; the folder is created). Returns the count.</summary>
    public static int Write<T>(string path, IEnumerable<T> records) where T : IJsonlRecord<T>
    {
        using var writer = new JsonlWriter<T>(path);
        foreach (var r in records) writer.Write(r);
        return writer.Count;
    }
}

/// <summary>Writes records one per line as they come (for large or streamed datasets).</summary>
public sealed class JsonlWriter<T> : IDisposable where T : IJsonlRecord<T>
{
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private readonly FileStream _stream;
    private readonly Utf8JsonWriter _json;

    /// <summary>Records written so far.</summary>
    public int Count { get; private set; }

    public JsonlWriter(string path, bool append = false)
    {
        var dir = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        _stream = new FileStream(path, append ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.Read);
        _json = new Utf8JsonWriter(_stream, Options);
    }

    /// <summary>Appends one record and a newline.</summary>
    public void Write(T record)
    {
        record.WriteJson(_json);
        _json.Flush();
        _json.Reset();
        _stream.WriteByte((byte)'\n');
        Count++;
    }

    public void Dispose()
    {
        _json.Dispose();
        _stream.Dispose();
    }
}
