using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.PyBridge;
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
/// <see cref="Save"/> is atomic: files are written and fsynced in a sibling temp folder, which is
/// then renamed over the target. <see cref="Load"/> verifies every hash before reading anything.
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
    public byte[]? Optimizer { get; init; }
    public required Dictionary<string, Tensor> Rng { get; init; }

    /// <summary>The GPT-2 BPE tokenizer saved with the checkpoint, or null (byte-level).</summary>
    public ITokenizer? Tokenizer { get; init; }

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
        var target = Path.GetFullPath(dir);
        var parent = Path.GetDirectoryName(target.TrimEnd(Path.DirectorySeparatorChar))!;
        Directory.CreateDirectory(parent);
        var tmp = Path.Combine(parent, "." + Path.GetFileName(target) + ".tmp-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(tmp);
        try
        {
            using var scope = torch.NewDisposeScope();
            var files = new List<string>();
            void Tensors(string name, Dictionary<string, Tensor> ts) { Safetensors.SaveStateDict(Path.Combine(tmp, name), ts); files.Add(name); }
            void Bytes(string name, byte[] bytes) { WriteSynced(Path.Combine(tmp, name), bytes); files.Add(name); }
            void Text(string name, string text) { WriteSynced(Path.Combine(tmp, name), System.Text.Encoding.UTF8.GetBytes(text)); files.Add(name); }

            Text("config.json", config.ToJson());
            Tensors("model.safetensors", model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().cpu().contiguous()));
            if (optimizer is not null) Bytes("optimizer.bin", OptimizerState(optimizer));
            var rng = new Dictionary<string, Tensor> { ["torch"] = torch.get_rng_state() };
            foreach (var (name, g) in generators ?? new Dictionary<string, Generator>()) rng["generator." + name] = g.get_state();
            Tensors("rng.safetensors", rng);
            if (tokenizer is Gpt2BpeTokenizer bpe) { Text("encoder.json", bpe.EncoderJson); Text("vocab.bpe", bpe.VocabBpe); }

            var manifest = new JsonObject
            {
                ["format"] = Format,
                ["kind"] = KindOf(model),
                ["step"] = step,
                ["files"] = new JsonArray(files.Select(f => (JsonNode)new JsonObject
                {
                    ["name"] = f,
                    ["bytes"] = new FileInfo(Path.Combine(tmp, f)).Length,
                    ["sha256"] = Sha256(Path.Combine(tmp, f)),
                }).ToArray()),
            };
            WriteSynced(Path.Combine(tmp, "manifest.json"), System.Text.Encoding.UTF8.GetBytes(manifest.ToJsonString(new JsonSerializerOptions { WriteIndented = true })));

            string? old = null;
            if (Directory.Exists(target))
            {
                old = Path.Combine(parent, "." + Path.GetFileName(target) + ".old-" + Guid.NewGuid().ToString("N"));
                Directory.Move(target, old);
            }
            Directory.Move(tmp, target);
            if (old is not null) Directory.Delete(old, recursive: true);
        }
        finally
        {
            if (Directory.Exists(tmp)) Directory.Delete(tmp, recursive: true);
        }
    }

    /// <summary>True when <paramref name="dir"/> holds a checkpoint manifest.</summary>
    public static bool IsIn(string dir) => File.Exists(Path.Combine(dir, "manifest.json"));

    /// <summary>Reads a checkpoint after checking every file's size and sha256 against the manifest.</summary>
    public static Checkpoint Load(string dir)
    {
        var manifestPath = Path.Combine(dir, "manifest.json");
        if (!File.Exists(manifestPath)) throw new CheckpointCorruptException($"checkpoint {dir}: no manifest.json (not a checkpoint, or an interrupted save)");
        JsonNode manifest;
        try { manifest = JsonNode.Parse(File.ReadAllText(manifestPath)) ?? throw new JsonException("empty"); }
        catch (JsonException e) { throw new CheckpointCorruptException($"checkpoint {dir}: manifest.json is not valid JSON ({e.Message})"); }
        if ((string?)manifest["format"] != Format)
            throw new CheckpointCorruptException($"checkpoint {dir}: manifest format is \"{manifest["format"]}\", expected \"{Format}\"");

        var names = new HashSet<string>();
        foreach (var f in manifest["files"]!.AsArray())
        {
            var name = (string)f!["name"]!;
            var path = Path.Combine(dir, name);
            names.Add(name);
            if (!File.Exists(path)) throw new CheckpointCorruptException($"checkpoint {dir}: {name} is missing");
            var (want, have) = ((long)f["bytes"]!, new FileInfo(path).Length);
            if (have != want) throw new CheckpointCorruptException($"checkpoint {dir}: {name} is truncated or overwritten ({have} bytes, manifest says {want})");
            if (Sha256(path) != (string)f["sha256"]!)
                throw new CheckpointCorruptException($"checkpoint {dir}: {name} is corrupt (sha256 does not match the manifest)");
        }

        Dictionary<string, Tensor> Read(string name) => Safetensors.LoadStateDict(Path.Combine(dir, name));
        return new Checkpoint
        {
            Config = GptConfig.FromJson(File.ReadAllText(Path.Combine(dir, "config.json"))),
            Kind = (string)manifest["kind"]!,
            Step = (long)manifest["step"]!,
            Weights = Read("model.safetensors"),
            Optimizer = names.Contains("optimizer.bin") ? File.ReadAllBytes(Path.Combine(dir, "optimizer.bin")) : null,
            Rng = Read("rng.safetensors"),
            Tokenizer = Gpt2BpeTokenizer.IsIn(dir) ? Gpt2BpeTokenizer.FromFolder(dir) : null,
        };
    }

    /// <summary>
    /// Copies the saved state into <paramref name="model"/>, <paramref name="optimizer"/> and the
    /// named <paramref name="generators"/>; restores libtorch's default generator when <paramref name="torchRng"/>.
    /// </summary>
    public void Restore(nn.Module model, AdamW? optimizer = null, IReadOnlyDictionary<string, Generator>? generators = null, bool torchRng = true)
    {
        model.load_state_dict(Weights);
        if (optimizer is not null)
        {
            using var reader = new BinaryReader(new MemoryStream(Optimizer ?? throw new InvalidOperationException("the checkpoint has no optimizer state")));
            optimizer.load_state_dict(reader);
        }
        foreach (var (name, g) in generators ?? new Dictionary<string, Generator>())
            g.set_state(Rng.TryGetValue("generator." + name, out var s) ? s : throw new InvalidOperationException($"the checkpoint has no state for generator \"{name}\""));
        if (torchRng) torch.set_rng_state(Rng["torch"]);
    }

    /// <summary>Frees the loaded tensors.</summary>
    public void Dispose()
    {
        foreach (var t in Weights.Values.Concat(Rng.Values)) t.Dispose();
    }

    private static byte[] OptimizerState(AdamW optimizer)
    {
        using var bytes = new MemoryStream();
        using (var writer = new BinaryWriter(bytes, System.Text.Encoding.UTF8, leaveOpen: true)) optimizer.save_state_dict(writer);
        return bytes.ToArray();
    }

    private static void WriteSynced(string path, byte[] bytes)
    {
        using var f = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
        f.Write(bytes);
        f.Flush(flushToDisk: true);
    }

    private static string Sha256(string path)
    {
        using var f = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(f));
    }
}
