using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace AkkaRlhf.Configuration;

/// <summary>Writes a resolved tree as plain JSON or as HOCON.</summary>
internal static class HoconRenderer
{
    private static readonly JsonWriterOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>A JSON string literal.</summary>
    public static string Quote(string s) => JsonSerializer.Serialize(s, new JsonSerializerOptions { Encoder = Compact.Encoder });

    public static string ToJson(HoconValue value, bool indented)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, Compact with { Indented = indented }))
            WriteJson(writer, value);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void WriteJson(Utf8JsonWriter w, HoconValue value)
    {
        switch (value)
        {
            case HoconObject o:
                w.WriteStartObject();
                foreach (var (key, v) in o.Fields) { w.WritePropertyName(key); WriteJson(w, v); }
                w.WriteEndObject();
                break;
            case HoconArray a:
                w.WriteStartArray();
                foreach (var item in a.Items) WriteJson(w, item);
                w.WriteEndArray();
                break;
            case HoconScalar { Kind: HoconScalarKind.Number } n: w.WriteRawValue(n.Text); break;
            case HoconScalar { Kind: HoconScalarKind.Boolean } b: w.WriteBooleanValue(b.Text == "true"); break;
            case HoconScalar { Kind: HoconScalarKind.Null }: w.WriteNullValue(); break;
            case HoconScalar s: w.WriteStringValue(s.Text); break;
            default: throw new InvalidOperationException("cannot render an unresolved value; resolve the configuration first");
        }
    }

    /// <summary>HOCON with keys in definition order, two-space indentation, strings always quoted.</summary>
    public static string ToHocon(HoconObject root)
    {
        var sb = new StringBuilder();
        WriteFields(sb, root, 0);
        return sb.ToString();
    }

    private static void WriteFields(StringBuilder sb, HoconObject o, int depth)
    {
        foreach (var (key, v) in o.Fields)
        {
            sb.Append(' ', depth * 2).Append(HoconPath.RenderKey(key));
            sb.Append(v is HoconObject ? " " : " = ");
            WriteValue(sb, v, depth);
            sb.Append('\n');
        }
    }

    private static void WriteValue(StringBuilder sb, HoconValue v, int depth)
    {
        switch (v)
        {
            case HoconObject { Count: 0 }: sb.Append("{}"); break;
            case HoconObject o:
                sb.Append("{\n");
                WriteFields(sb, o, depth + 1);
                sb.Append(' ', depth * 2).Append('}');
                break;
            case HoconArray a:
                sb.Append('[');
                for (int i = 0; i < a.Items.Count; i++)
                {
                    if (i > 0) sb.Append(", ");
                    WriteValue(sb, a.Items[i], depth);
                }
                sb.Append(']');
                break;
            case HoconScalar { Kind: HoconScalarKind.String } s: sb.Append(Quote(s.Text)); break;
            case HoconScalar s: sb.Append(s.Text); break;
            default: throw new InvalidOperationException("cannot render an unresolved value; resolve the configuration first");
        }
    }
}
