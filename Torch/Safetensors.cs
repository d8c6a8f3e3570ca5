using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace AkkaRlhf.Torch;

/// <summary>A file that breaks a safetensors rule; the message names the file and the rule.</summary>
public sealed class SafetensorsFormatException(string message) : Exception(message);

/// <summary>
/// The safetensors format: an 8-byte little-endian header length N, N bytes of JSON
/// (<c>{"name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}, "__metadata__": {...}}</c>,
/// padded with spaces to a multiple of 8), then the tensors' bytes, row-major little-endian, each
/// entry's offsets relative to the start of the data, contiguous, in order, ending at the file's end.
/// Every rule is checked on read.
/// </summary>
public static class Safetensors
{
    private const string MetadataKey = "__metadata__";
    private const long MaxHeader = 100L << 20;

    private static readonly Dictionary<string, ScalarType> DTypes = new()
    {
        ["BOOL"] = ScalarType.Bool, ["U8"] = ScalarType.UInt8, ["I8"] = ScalarType.Int8, ["I16"] = ScalarType.Int16,
        ["I32"] = ScalarType.Int32, ["I64"] = ScalarType.Int64, ["F16"] = ScalarType.Float16, ["BF16"] = ScalarType.BFloat16,
        ["F32"] = ScalarType.Float32, ["F64"] = ScalarType.Float64,
    };

    // Valid in the format but without a tensor type in this binding.
    private static readonly HashSet<string> Unsupported = ["U16", "U32", "U64", "F8_E4M3", "F8_E5M2"];

    /// <summary>The safetensors name of a dtype ("F32", "I64", ...).</summary>
    public static string DTypeName(ScalarType t) => DTypes.First(kv => kv.Value == t).Key;

    /// <summary>
    /// Writes <paramref name="tensors"/> (in the dictionary's order) and optional string metadata to
    /// <paramref name="path"/> atomically: a temporary file beside it, flushed to disk, then renamed.
    /// </summary>
    public static void Save(string path, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var full = Path.GetFullPath(path);
        var tmp = full + ".tmp-" + Environment.ProcessId;
        try
        {
            using (var f = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
            {
                Write(f, tensors, metadata);
                f.Flush(flushToDisk: true);
            }
            File.Move(tmp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(tmp)) File.Delete(tmp);
        }
    }

    /// <summary>The safetensors bytes of <paramref name="tensors"/>.</summary>
    public static byte[] Serialize(IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var ms = new MemoryStream();
        Write(ms, tensors, metadata);
        return ms.ToArray();
    }

    /// <summary>Writes the safetensors encoding to a stream.</summary>
    public static void Write(Stream output, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var header = new MemoryStream();
        long offset = 0;
        using (var w = new Utf8JsonWriter(header))
        {
            w.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                w.WriteStartObject(MetadataKey);
                foreach (var (k, v) in metadata) w.WriteString(k, v);
                w.WriteEndObject();
            }
            foreach (var (name, t) in tensors)
            {
                if (name == MetadataKey) throw new ArgumentException($"\"{MetadataKey}\" cannot name a tensor");
                var bytes = t.numel() * t.dtype.ElementSize();
                w.WriteStartObject(name);
                w.WriteString("dtype", DTypeName(t.dtype));
                w.WriteStartArray("shape");
                foreach (var d in t.shape) w.WriteNumberValue(d);
                w.WriteEndArray();
                w.WriteStartArray("data_offsets");
                w.WriteNumberValue(offset);
                w.WriteNumberValue(offset + bytes);
                w.WriteEndArray();
                w.WriteEndObject();
                offset += bytes;
            }
            w.WriteEndObject();
        }
        var pad = (int)((8 - header.Length % 8) % 8);
        for (var i = 0; i < pad; i++) header.WriteByte((byte)' ');
        Span<byte> len = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)header.Length);
        output.Write(len);
        header.Position = 0;
        header.CopyTo(output);
        foreach (var t in tensors.Values)
            output.Write(t.ToBytes());
    }

    /// <summary>Reads and validates a file; tensors are created on <paramref name="device"/>.</summary>
    public static (Dictionary<string, Tensor> tensors, Dictionary<string, string> metadata) Load(string path, Device? device = null)
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (IOException e) { throw new SafetensorsFormatException($"{path}: cannot read: {e.Message}"); }
        return Deserialize(bytes, path, device);
    }

    /// <summary>Reads and validates safetensors bytes; <paramref name="origin"/> names the source in errors.</summary>
    public static (Dictionary<string, Tensor> tensors, Dictionary<string, string> metadata) Deserialize(
        ReadOnlySpan<byte> bytes, string origin = "<bytes>", Device? device = null)
    {
        var (entries, metadata, dataStart) = ReadHeader(bytes, origin);
        var tensors = new Dictionary<string, Tensor>();
        try
        {
            foreach (var e in entries)
                tensors[e.Name] = torch.frombuffer(bytes.Slice((int)(dataStart + e.Begin), (int)(e.End - e.Begin)), e.DType, e.Shape, device)
                    .DetachFromDisposeScope();
        }
        catch
        {
            foreach (var t in tensors.Values) t.Dispose();
            throw;
        }
        return (tensors, metadata);
    }

    private sealed record Entry(string Name, ScalarType DType, long[] Shape, long Begin, long End);

    private static (List<Entry>, Dictionary<string, string>, long) ReadHeader(ReadOnlySpan<byte> bytes, string origin)
    {
        SafetensorsFormatException Bad(string why) => new($"{origin}: invalid safetensors file: {why}");

        if (bytes.Length < 8) throw Bad($"truncated: {bytes.Length} bytes, shorter than the 8-byte header length");
        var n = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (n > (ulong)(bytes.Length - 8)) throw Bad($"header length {n} is larger than the file ({bytes.Length} bytes)");
        if ((long)n > MaxHeader) throw Bad($"header length {n} exceeds the {MaxHeader}-byte limit");
        var dataStart = 8 + (long)n;
        var dataLength = bytes.Length - dataStart;

        JsonDocument doc;
        try { doc = JsonDocument.Parse(Encoding.UTF8.GetString(bytes.Slice(8, (int)n)).TrimEnd(' ')); }
        catch (JsonException e) { throw Bad($"header is not valid JSON: {e.Message}"); }

        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw Bad("header is not a JSON object");
            var seen = new HashSet<string>();
            var entries = new List<Entry>();
            var metadata = new Dictionary<string, string>();
            foreach (var prop in doc.RootElement.EnumerateObject())
            {
                if (!seen.Add(prop.Name)) throw Bad($"duplicate key \"{prop.Name}\"");
                if (prop.Name == MetadataKey)
                {
                    if (prop.Value.ValueKind != JsonValueKind.Object) throw Bad("__metadata__ must be an object of strings");
                    foreach (var m in prop.Value.EnumerateObject())
                    {
                        if (m.Value.ValueKind != JsonValueKind.String) throw Bad($"__metadata__ value \"{m.Name}\" is not a string");
                        if (!metadata.TryAdd(m.Name, m.Value.GetString()!)) throw Bad($"duplicate __metadata__ key \"{m.Name}\"");
                    }
                    continue;
                }
                entries.Add(ReadEntry(prop, Bad));
            }

            // Offsets: contiguous from 0, no overlap, no gap, ending exactly at the file's end.
            long expected = 0;
            foreach (var e in entries.OrderBy(e => e.Begin).ThenBy(e => e.End))
            {
                if (e.Begin < expected) throw Bad($"tensor \"{e.Name}\" data_offsets [{e.Begin}, {e.End}] overlap the previous tensor (ends at {expected})");
                if (e.Begin > expected) throw Bad($"gap before tensor \"{e.Name}\": data_offsets start at {e.Begin}, previous data ends at {expected}");
                expected = e.End;
            }
            if (expected > dataLength) throw Bad($"truncated: tensors need {expected} data bytes, the file holds {dataLength}");
            if (expected < dataLength) throw Bad($"{dataLength - expected} trailing bytes after the last tensor");
            return (entries, metadata, dataStart);
        }
    }

    private static Entry ReadEntry(JsonProperty prop, Func<string, SafetensorsFormatException> bad)
    {
        var name = prop.Name;
        var v = prop.Value;
        if (v.ValueKind != JsonValueKind.Object) throw bad($"entry \"{name}\" is not an object");
        string? dtypeName = null;
        long[]? shape = null, offsets = null;
        var fields = new HashSet<string>();
        foreach (var f in v.EnumerateObject())
        {
            if (!fields.Add(f.Name)) throw bad($"entry \"{name}\": duplicate field \"{f.Name}\"");
            switch (f.Name)
            {
                case "dtype":
                    dtypeName = f.Value.ValueKind == JsonValueKind.String ? f.Value.GetString() : throw bad($"entry \"{name}\": dtype is not a string");
                    break;
                case "shape": shape = Longs(f.Value, name, "shape", bad); break;
                case "data_offsets": offsets = Longs(f.Value, name, "data_offsets", bad); break;
                default: throw bad($"entry \"{name}\": unknown field \"{f.Name}\"");
            }
        }
        if (dtypeName is null) throw bad($"entry \"{name}\" has no dtype");
        if (shape is null) throw bad($"entry \"{name}\" has no shape");
        if (offsets is null || offsets.Length != 2) throw bad($"entry \"{name}\": data_offsets must be [begin, end]");
        if (Unsupported.Contains(dtypeName)) throw bad($"entry \"{name}\": dtype {dtypeName} is not supported by this binding");
        if (!DTypes.TryGetValue(dtypeName, out var dtype)) throw bad($"entry \"{name}\": unknown dtype \"{dtypeName}\"");
        var (begin, end) = (offsets[0], offsets[1]);
        if (end < begin) throw bad($"entry \"{name}\": data_offsets [{begin}, {end}] end before they begin");
        long want;
        try
        {
            long numel = 1;
            foreach (var d in shape) numel = checked(numel * d);
            want = checked(numel * dtype.ElementSize());
        }
        catch (OverflowException) { throw bad($"entry \"{name}\": shape [{string.Join(", ", shape)}] is too large"); }
        if (end - begin != want)
            throw bad($"entry \"{name}\": {dtypeName} [{string.Join(", ", shape)}] needs {want} bytes, data_offsets span {end - begin}");
        return new Entry(name, dtype, shape, begin, end);
    }

    private static long[] Longs(JsonElement e, string name, string field, Func<string, SafetensorsFormatException> bad)
    {
        if (e.ValueKind != JsonValueKind.Array) throw bad($"entry \"{name}\": {field} is not an array");
        var r = new List<long>();
        foreach (var x in e.EnumerateArray())
        {
            if (x.ValueKind != JsonValueKind.Number || !x.TryGetInt64(out var v) || v < 0)
                throw bad($"entry \"{name}\": {field} must hold non-negative integers");
            r.Add(v);
        }
        return r.ToArray();
    }
}
