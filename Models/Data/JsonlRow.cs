using System.Text.Json;

namespace AkkaRlhf.Models.Data;

/// <summary>
/// One JSON object of a JSONL file, with typed getters that throw a <see cref="DatasetException"/>
/// naming the field (missing, wrong type, empty string, ...). Unknown extra fields are ignored.
/// </summary>
public readonly struct JsonlRow
{
    /// <summary>The row's JSON object.</summary>
    public JsonElement Element { get; }

    public JsonlRow(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object)
            throw new DatasetException(null, 0, null, $"expected a JSON object, got {Describe(element.ValueKind)}");
        Element = element;
    }

    /// <summary>A required, non-empty string field.</summary>
    public string String(string field)
    {
        var e = Required(field);
        if (e.ValueKind != JsonValueKind.String) throw Fail(field, $"expected a string, got {Describe(e.ValueKind)}");
        var s = e.GetString()!;
        if (s.Length == 0) throw Fail(field, "empty string");
        return s;
    }

    /// <summary>A required array of non-empty strings with at least <paramref name="minCount"/> elements.</summary>
    public string[] Strings(string field, int minCount = 0)
    {
        var e = Required(field);
        if (e.ValueKind != JsonValueKind.Array) throw Fail(field, $"expected an array of strings, got {Describe(e.ValueKind)}");
        var result = new string[e.GetArrayLength()];
        var i = 0;
        foreach (var item in e.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String) throw Fail(field, $"element {i}: expected a string, got {Describe(item.ValueKind)}");
            var s = item.GetString()!;
            if (s.Length == 0) throw Fail(field, $"element {i}: empty string");
            result[i++] = s;
        }
        if (result.Length < minCount) throw Fail(field, $"needs at least {minCount} elements, got {result.Length}");
        return result;
    }

    /// <summary>A required integer field.</summary>
    public int Int(string field)
    {
        var e = Required(field);
        if (e.ValueKind != JsonValueKind.Number || !e.TryGetInt32(out var v))
            throw Fail(field, e.ValueKind == JsonValueKind.Number ? $"expected an integer, got {e.GetRawText()}" : $"expected an integer, got {Describe(e.ValueKind)}");
        return v;
    }

    /// <summary>An error about <paramref name="field"/> (the reader adds file and line).</summary>
    public static DatasetException Fail(string field, string reason) => DatasetException.ForField(field, reason);

    private JsonElement Required(string field)
    {
        if (!Element.TryGetProperty(field, out var e)) throw Fail(field, "missing");
        if (e.ValueKind == JsonValueKind.Null) throw Fail(field, "is null");
        return e;
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => kind.ToString(),
    };
}
