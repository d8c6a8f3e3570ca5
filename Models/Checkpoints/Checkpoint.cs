using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AkkaRlhf.Models;

/// <summary>A checkpoint file that is missing, truncated or does not match its manifest's sha256.</summary>
public sealed class CheckpointCorruptException(string message) : Exception(message);

/// <summary>
/// A training checkpoint: one folder holding
/// <list type="bullet">
/// <item><c>model.safetensors</c>: the model's state_dict;</item>
/// <item><c>optimizer.bin</c>: the optimizer's state in TorchSharp's own format (<c>save_state_dict</c>; optional);</item>
/// <item><c>rng.safetensors</c>: generator states (<c>torch</c> = libtorch's default generator, <c>generator.NAME</c> = named generators);</item>
/// <item><c>config.json</c>: the <see cref="GptConfig"/>; <c>encoder.json</c>/<c>vocab.bpe</c> when the tokenizer is GPT-2 BPE;</item>
/// <item><c>manifest.json</c>: format, model kind, schedule step and every file's size and sha256.</item>
/// </list>
/// The <c>.safetensors</c> files follow the safetensors format: an 8-byte little-endian header length N, N bytes
/// of JSON <c>{name: {"dtype", "shape", "data_offsets": [begin, end]}}</c> (padded with spaces to a multiple of 8),
/// then the tensors' raw little-endian bytes, in header order, without gaps.
/// <para>
/// <see cref="Save"/> is atomic: files are written and fsynced in a sibling temp folder, which is then renamed over
/// the target. <see cref="Load"/> returns only when every file's size and sha256 match the manifest (it frees what it
/// read otherwise).
/// </para>
/// <para>
/// Speed: the files are written (read) in parallel, each hashed in the same pass as it is written (read), tensors
/// straight from (into) their own memory, with no copy in between. optimizer.bin is the exception on load: Load only
/// hashes it, and <see cref="Restore"/> reads it straight into the optimizer's state, hashing it again, so that it is
/// never held in a buffer of its own (a fresh buffer the size of the optimizer state costs more than a read).
/// </para>
/// </summary>
public sealed class Checkpoint : IDisposable
{
    /// <summary>The manifest's format tag.</summary>
    public const string Format = "akka-rlhf-checkpoint/2";

    public required GptConfig Config { get; init; }

    /// <summary>"lm", "value" or "reward" (<see cref="KindOf"/>).</summary>
    public required string Kind { get; init; }

    /// <summary>Schedule step (optimizer updates done).</summary>
    public required long Step { get; init; }

    public required Dictionary<string, Tensor> Weights { get; init; }

    /// <summary>True when the checkpoint holds optimizer state (<c>optimizer.bin</c>).</summary>
    public bool HasOptimizer => OptimizerFile is not null;

    public required Dictionary<string, Tensor> Rng { get; init; }

    /// <summary>The GPT-2 BPE tokenizer saved with the checkpoint, or null (byte-level).</summary>
    public ITokenizer? Tokenizer { get; init; }

    /// <summary>The full path of optimizer.bin and its manifest sha256 (Load has checked it), or null.</summary>
    private (string Path, string Sha256)? OptimizerFile { get; init; }

    /// <summary>The kind written for a model: "lm", "value", "reward" (else the type name).</summary>
    public static string KindOf(nn.Module model) => model switch
    {
        GptLM => "lm",
        GptValue => "value",
        GptReward => "reward",
        _ => model.GetType().Name,
    };

    /// <summary>
    /// Writes a checkpoint of <paramref name="model"/> into <paramref name="dir"/> (replacing it
    /// atomically if present). <paramref name="generators"/> are saved by name beside libtorch's default generator.
    /// </summary>
    public static void Save(string dir, nn.Module model, GptConfig config, AdamW? optimizer = null, long step = 0,
        IReadOnlyDictionary<string, Generator>? generators = null, ITokenizer? tokenizer = null)
    {
        AtomicFolder.Write(dir, tmp =>
        {
            using var scope = torch.NewDisposeScope();                             // tensors are made here; the writers only read them
            var weights = model.state_dict().Select(kv => (kv.Key, kv.Value.detach().cpu().contiguous())).ToList();
            var rng = new List<(string, Tensor)> { ("torch", torch.get_rng_state()) };
            foreach (var (name, g) in generators ?? new Dictionary<string, Generator>()) rng.Add(("generator." + name, g.get_state()));
            static Action<Stream> Text(string text) => f => f.Write(Encoding.UTF8.GetBytes(text));

            var writes = new List<(string Name, Action<Stream> Write)>
            {
                ("config.json", Text(config.ToJson())),
                ("model.safetensors", f => WriteSafetensors(f, weights)),
            };
            if (optimizer is not null)
                writes.Add(("optimizer.bin", f =>
                {
                    using var writer = new BinaryWriter(f, Encoding.UTF8, leaveOpen: true);
                    optimizer.save_state_dict(writer);
                }));
            writes.Add(("rng.safetensors", f => WriteSafetensors(f, rng)));
            if (tokenizer is Gpt2BpeTokenizer bpe) { writes.Add(("encoder.json", Text(bpe.EncoderJson))); writes.Add(("vocab.bpe", Text(bpe.VocabBpe))); }

            var files = new JsonNode[writes.Count];
            InParallel([.. Enumerable.Range(0, writes.Count)], i =>
            {
                var (name, write) = writes[i];
                using var file = Sha256FileStream.Create(Path.Combine(tmp, name));
                write(file);
                file.Flush(flushToDisk: true);
                files[i] = new JsonObject { ["name"] = name, ["bytes"] = file.Length, ["sha256"] = file.Sha256() };
            });

            var manifest = new JsonObject
            {
                ["format"] = Format,
                ["kind"] = KindOf(model),
                ["step"] = step,
                ["files"] = new JsonArray(files),
            };
            using (var f = new FileStream(Path.Combine(tmp, "manifest.json"), FileMode.CreateNew, FileAccess.Write))
            {
                f.Write(Encoding.UTF8.GetBytes(manifest.ToJsonString(new JsonSerializerOptions { WriteIndented = true })));
                f.Flush(flushToDisk: true);
            }
        });
    }

    /// <summary>True when <paramref name="dir"/> holds a checkpoint manifest.</summary>
    public static bool IsIn(string dir) => File.Exists(Path.Combine(dir, "manifest.json"));

    /// <summary>
    /// Reads a checkpoint, checking every file's size (first) and sha256 (while reading it) against the manifest.
    /// </summary>
    /// <exception cref="CheckpointCorruptException">No or a bad manifest, or a file that is missing, has another
    /// size or another sha256 (the message names the file).</exception>
    public static Checkpoint Load(string dir)
    {
        var manifestPath = Path.Combine(dir, "manifest.json");
        if (!File.Exists(manifestPath)) throw new CheckpointCorruptException($"checkpoint {dir}: no manifest.json (not a checkpoint, or an interrupted save)");
        JsonNode manifest;
        try { manifest = JsonNode.Parse(File.ReadAllText(manifestPath)) ?? throw new JsonException("empty"); }
        catch (JsonException e) { throw new CheckpointCorruptException($"checkpoint {dir}: manifest.json is not valid JSON ({e.Message})"); }
        if ((string?)manifest["format"] != Format)
            throw new CheckpointCorruptException($"checkpoint {dir}: manifest format is \"{manifest["format"]}\", expected \"{Format}\"");

        var files = manifest["files"]!.AsArray().Select(f => (Name: (string)f!["name"]!, Bytes: (long)f["bytes"]!, Sha256: (string)f["sha256"]!)).ToList();
        foreach (var (name, bytes, _) in files)                                  // sizes first: cheap, and names a lost file before any reading
        {
            var path = Path.Combine(dir, name);
            if (!File.Exists(path)) throw new CheckpointCorruptException($"checkpoint {dir}: {name} is missing");
            var have = new FileInfo(path).Length;
            if (have != bytes) throw new CheckpointCorruptException($"checkpoint {dir}: {name} is truncated or overwritten ({have} bytes, manifest says {bytes})");
        }

        var read = new object?[files.Count];                                     // per file: its tensors (.safetensors), its path (optimizer.bin) or its bytes
        try
        {
            InParallel([.. Enumerable.Range(0, files.Count).OrderByDescending(i => files[i].Bytes)], i =>
            {
                var (name, bytes, sha256) = files[i];
                var (path, corrupt) = (Path.Combine(dir, name), $"checkpoint {dir}: {name} is corrupt (sha256 does not match the manifest)");
                read[i] = name switch
                {
                    _ when name.EndsWith(".safetensors", StringComparison.Ordinal) => Verified(path, sha256, f => ReadSafetensors(f, bytes), DisposeAll, corrupt),
                    "optimizer.bin" => Verified(path, sha256, _ => Path.GetFullPath(path), _ => { }, corrupt),  // only hashed: Restore reads it
                    _ => Verified(path, sha256, f => { var b = new byte[bytes]; f.ReadExactly(b); return b; }, _ => { }, corrupt),
                };
            });
            var byName = files.Select((f, i) => (f.Name, read[i])).ToDictionary();
            bool Has(string name) => byName.ContainsKey(name);
            T Listed<T>(string name) where T : class =>
                byName.GetValueOrDefault(name) as T ?? throw new CheckpointCorruptException($"checkpoint {dir}: manifest.json lists no {name}");
            string Text(string name) => new StreamReader(new MemoryStream(Listed<byte[]>(name)), Encoding.UTF8).ReadToEnd();

            return new Checkpoint
            {
                Config = GptConfig.FromJson(Text("config.json")),
                Kind = (string)manifest["kind"]!,
                Step = (long)manifest["step"]!,
                Weights = Listed<Dictionary<string, Tensor>>("model.safetensors"),
                OptimizerFile = Has("optimizer.bin") ? (Listed<string>("optimizer.bin"), files.Single(f => f.Name == "optimizer.bin").Sha256) : null,
                Rng = Listed<Dictionary<string, Tensor>>("rng.safetensors"),
                Tokenizer = Has("encoder.json") && Has("vocab.bpe") ? new Gpt2BpeTokenizer(Text("encoder.json"), Text("vocab.bpe"))
                    : Gpt2BpeTokenizer.IsIn(dir) ? Gpt2BpeTokenizer.FromFolder(dir) : null,
            };
        }
        catch
        {
            foreach (var tensors in read.OfType<Dictionary<string, Tensor>>()) DisposeAll(tensors);
            throw;
        }
    }

    /// <summary>
    /// Copies the saved state into <paramref name="model"/>, <paramref name="optimizer"/> and the
    /// named <paramref name="generators"/>; restores libtorch's default generator when <paramref name="torchRng"/>.
    /// The optimizer state is read from the checkpoint folder's optimizer.bin, which must still be there and
    /// unchanged since <see cref="Load"/> (else <see cref="CheckpointCorruptException"/>, after the optimizer was written).
    /// </summary>
    public void Restore(nn.Module model, AdamW? optimizer = null, IReadOnlyDictionary<string, Generator>? generators = null, bool torchRng = true)
    {
        model.load_state_dict(Weights);
        if (optimizer is not null)
        {
            var (path, sha256) = OptimizerFile ?? throw new InvalidOperationException("the checkpoint has no optimizer state");
            Verified(path, sha256, f =>
            {
                using var reader = new BinaryReader(f, Encoding.UTF8, leaveOpen: true);
                optimizer.load_state_dict(reader);
                return f;
            }, _ => { }, $"checkpoint {Path.GetDirectoryName(path)}: optimizer.bin changed since Load (sha256 does not match the manifest)");
        }
        foreach (var (name, g) in generators ?? new Dictionary<string, Generator>())
            g.set_state(Rng.TryGetValue("generator." + name, out var s) ? s : throw new InvalidOperationException($"the checkpoint has no state for generator \"{name}\""));
        if (torchRng) torch.set_rng_state(Rng["torch"]);
    }

    /// <summary>Frees the loaded tensors.</summary>
    public void Dispose()
    {
        DisposeAll(Weights);
        DisposeAll(Rng);
    }

    private static void DisposeAll(Dictionary<string, Tensor> tensors)
    {
        foreach (var t in tensors.Values) t.Dispose();
    }

    /// <summary>
    /// Runs <paramref name="body"/> for each index in <paramref name="order"/> (a permutation of 0..n-1, started in that
    /// order) on this thread and the thread pool; once all have finished, rethrows the exception of the lowest failed index.
    /// </summary>
    private static void InParallel(IReadOnlyList<int> order, Action<int> body)
    {
        var errors = new ExceptionDispatchInfo?[order.Count];
        Parallel.ForEach(Partitioner.Create(order, EnumerablePartitionerOptions.NoBuffering), i =>
        {
            try { body(i); }
            catch (Exception e) { errors[i] = ExceptionDispatchInfo.Capture(e); }
        });
        errors.FirstOrDefault(e => e is not null)?.Throw();
    }

    /// <summary>
    /// Runs <paramref name="read"/> over the file at <paramref name="path"/>, hashing every byte it reads and then the
    /// rest of the file. When the sha256 is not <paramref name="sha256"/>, disposes what was read and throws
    /// <paramref name="corrupt"/> (whatever <paramref name="read"/> made of the bad bytes, an exception included);
    /// else returns what was read, or rethrows the exception of <paramref name="read"/>.
    /// </summary>
    private static T Verified<T>(string path, string sha256, Func<Stream, T> read, Action<T> dispose, string corrupt) where T : class
    {
        using var file = Sha256FileStream.OpenRead(path);
        T? value = null;
        ExceptionDispatchInfo? error = null;
        try { value = read(file); }
        catch (Exception e) { error = ExceptionDispatchInfo.Capture(e); }         // a corrupt file can fail anywhere: the hash decides
        file.CopyTo(Stream.Null, Sha256FileStream.Chunk);
        if (file.Sha256() != sha256)
        {
            if (value is not null) dispose(value);
            throw new CheckpointCorruptException(corrupt);
        }
        error?.Throw();
        return value!;
    }

    /// <summary>
    /// Writes <paramref name="tensors"/> (CPU, contiguous) to <paramref name="stream"/> as safetensors, straight from their
    /// memory; <paramref name="metadata"/> becomes the header's <c>__metadata__</c> (Hugging Face reads <c>format = pt</c>).
    /// </summary>
    public static void WriteSafetensors(Stream stream, IEnumerable<(string Name, Tensor Tensor)> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var list = tensors.ToList();
        var header = new JsonObject();
        if (metadata is not null) header["__metadata__"] = new JsonObject(metadata.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value)));
        long offset = 0;
        foreach (var (name, t) in list)
        {
            var bytes = t.NumberOfElements * t.ElementSize;
            header[name] = new JsonObject
            {
                ["dtype"] = DTypeName(t.dtype),
                ["shape"] = new JsonArray(t.shape.Select(d => (JsonNode)d).ToArray()),
                ["data_offsets"] = new JsonArray(offset, offset + bytes),
            };
            offset += bytes;
        }
        var json = Encoding.UTF8.GetBytes(header.ToJsonString());
        var padded = (json.Length + 7) / 8 * 8;                                      // 8-byte aligned tensor data
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)padded);
        stream.Write(length);
        stream.Write(json);
        for (var i = json.Length; i < padded; i++) stream.WriteByte((byte)' ');
        foreach (var (_, t) in list) stream.Write(t.bytes);
    }

    /// <summary>
    /// Reads a safetensors file of <paramref name="fileBytes"/> bytes from <paramref name="stream"/>, straight into
    /// new CPU tensors (in data order). Throws <see cref="InvalidDataException"/> on a malformed file.
    /// </summary>
    public static Dictionary<string, Tensor> ReadSafetensors(Stream stream, long fileBytes)
    {
        Span<byte> prefix = stackalloc byte[8];
        stream.ReadExactly(prefix);
        var headerBytes = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (headerBytes > (ulong)(fileBytes - 8) || headerBytes > int.MaxValue) throw new InvalidDataException($"header of {headerBytes} bytes in a file of {fileBytes}");
        var header = new byte[headerBytes];
        stream.ReadExactly(header);
        var dataBytes = fileBytes - 8 - (long)headerBytes;

        var entries = new List<(string Name, ScalarType DType, long[] Shape, long Begin, long End)>();
        foreach (var (name, node) in JsonNode.Parse(header)!.AsObject())
        {
            if (name == "__metadata__") continue;
            var dtype = DTypeOf((string)node!["dtype"]!);
            var shape = node["shape"]!.AsArray().Select(d => (long)d!).ToArray();
            var offsets = node["data_offsets"]!.AsArray().Select(o => (long)o!).ToArray();
            var bytes = shape.Aggregate(ElementSize(dtype), (n, d) => d >= 0 ? checked(n * d) : throw new InvalidDataException($"{name}: negative dimension"));
            if (offsets.Length != 2 || offsets[0] < 0 || offsets[1] - offsets[0] != bytes || offsets[1] > dataBytes)
                throw new InvalidDataException($"{name}: data_offsets [{string.Join(", ", offsets)}] do not fit {bytes} bytes of data in {dataBytes}");
            entries.Add((name, dtype, shape, offsets[0], offsets[1]));
        }

        var tensors = new Dictionary<string, Tensor>();
        try
        {
            foreach (var e in entries) tensors.Add(e.Name, torch.empty(e.Shape, e.DType).DetachFromDisposeScope());  // header order; owned by the caller
            long position = 0;
            foreach (var e in entries.OrderBy(e => e.Begin))
            {
                if (e.Begin != position) throw new InvalidDataException($"{e.Name}: data starts at {e.Begin}, expected {position}");
                stream.ReadExactly(tensors[e.Name].bytes);
                position = e.End;
            }
            return tensors;
        }
        catch
        {
            DisposeAll(tensors);
            throw;
        }
    }

    private static readonly (ScalarType DType, string Name, int Bytes)[] DTypes =
    [
        (ScalarType.Float64, "F64", 8), (ScalarType.Float32, "F32", 4), (ScalarType.Float16, "F16", 2), (ScalarType.BFloat16, "BF16", 2),
        (ScalarType.Int64, "I64", 8), (ScalarType.Int32, "I32", 4), (ScalarType.Int16, "I16", 2), (ScalarType.Int8, "I8", 1),
        (ScalarType.Byte, "U8", 1), (ScalarType.Bool, "BOOL", 1),
    ];

    private static string DTypeName(ScalarType dtype) =>
        DTypes.FirstOrDefault(d => d.DType == dtype).Name ?? throw new NotSupportedException($"safetensors has no dtype for {dtype}");

    private static ScalarType DTypeOf(string name) =>
        DTypes.Any(d => d.Name == name) ? DTypes.First(d => d.Name == name).DType : throw new InvalidDataException($"unknown safetensors dtype \"{name}\"");

    private static long ElementSize(ScalarType dtype) => DTypes.First(d => d.DType == dtype).Bytes;

    /// <summary>
    /// A file read or written front to back (no seeking) that hashes every byte passing through, in 1 MiB chunks so
    /// that each chunk is hashed while it is in the CPU cache. Small reads and writes go through a 1 MiB buffer.
    /// </summary>
    private sealed class Sha256FileStream(FileStream file) : Stream
    {
        public const int Chunk = 1 << 20;
        private readonly IncrementalHash sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

        public static Sha256FileStream Create(string path) =>
            new(new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: Chunk));

        public static Sha256FileStream OpenRead(string path) =>
            new(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: Chunk, FileOptions.SequentialScan));

        /// <summary>The lowercase hex sha256 of the bytes so far.</summary>
        public string Sha256() => Convert.ToHexStringLower(sha.GetCurrentHash());

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            for (var i = 0; i < buffer.Length; i += Chunk)
            {
                var chunk = buffer.Slice(i, Math.Min(Chunk, buffer.Length - i));
                sha.AppendData(chunk);
                file.Write(chunk);
            }
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void WriteByte(byte value) => Write([value]);

        public override int Read(Span<byte> buffer)
        {
            var n = file.Read(buffer[..Math.Min(Chunk, buffer.Length)]);
            sha.AppendData(buffer[..n]);
            return n;
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public void Flush(bool flushToDisk) => file.Flush(flushToDisk);
        public override void Flush() => file.Flush();
        public override bool CanRead => file.CanRead;
        public override bool CanWrite => file.CanWrite;
        public override bool CanSeek => false;
        public override long Length => file.Length;
        public override long Position { get => file.Position; set => throw new NotSupportedException(); }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing) { file.Dispose(); sha.Dispose(); }
            base.Dispose(disposing);
        }
    }
}
