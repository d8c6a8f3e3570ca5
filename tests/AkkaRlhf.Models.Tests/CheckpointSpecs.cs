using System.Security.Cryptography;
using System.Text.Json.Nodes;
using AkkaRlhf.Models;
using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace AkkaRlhf.Models.Tests;

/// <summary>Specs that set or read libtorch's default generator run alone.</summary>
[CollectionDefinition("GlobalRng", DisableParallelization = true)]
public sealed class GlobalRngCollection;

[Collection("GlobalRng")]
public sealed class CheckpointSpecs : IDisposable
{
    private readonly string root = Path.Combine(Path.GetTempPath(), "ckpt-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
    }

    private static void TrainOneStep(GptLM model, AdamW opt)
    {
        using var scope = torch.NewDisposeScope();
        var ids = torch.tensor(new long[] { 1, 2, 3, 4, 5, 6 }, [2, 3]);
        var loss = -LogProbs.Shifted(model.forward(ids), ids).mean();
        opt.zero_grad();
        loss.backward();
        opt.step();
    }

    [Fact]
    public void Checkpoint_round_trip_must_restore_weights_optimizer_rng_and_step()
    {
        var dir = Path.Combine(root, "step-7");
        using var g = new Generator(9);
        using var model = new GptLM(Tiny.Config, g);
        using var opt = new AdamW(model.parameters(), lr: 1e-2);
        TrainOneStep(model, opt);
        using var sampling = new Generator(123);
        using (torch.NewDisposeScope()) torch.rand([3], generator: sampling);
        torch.manual_seed(77);
        Checkpoint.Save(dir, model, Tiny.Config, opt, step: 7, new Dictionary<string, Generator> { ["sampling"] = sampling });
        Checkpoint.Save(dir, model, Tiny.Config, opt, step: 7, new Dictionary<string, Generator> { ["sampling"] = sampling }); // replaces atomically

        using var scope = torch.NewDisposeScope();
        var nextSample = torch.rand([4], generator: sampling).data<float>().ToArray();
        var nextGlobal = torch.rand([4]).data<float>().ToArray();
        TrainOneStep(model, opt);                                                     // the reference continues one step
        var expectedWeights = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());

        using var g2 = new Generator(10);
        using var fresh = new GptLM(Tiny.Config, g2);
        using var freshOpt = new AdamW(fresh.parameters(), lr: 1e-2);
        using var freshSampling = new Generator(1);
        using var ckpt = Checkpoint.Load(dir);
        Assert.Equal(7, ckpt.Step);
        Assert.Equal("lm", ckpt.Kind);
        Assert.Equal(Tiny.Config, ckpt.Config);
        ckpt.Restore(fresh, freshOpt, new Dictionary<string, Generator> { ["sampling"] = freshSampling });
        Assert.Equal(nextSample, torch.rand([4], generator: freshSampling).data<float>().ToArray());
        Assert.Equal(nextGlobal, torch.rand([4]).data<float>().ToArray());
        TrainOneStep(fresh, freshOpt);                                                // same optimizer state -> same update
        foreach (var (k, t) in fresh.state_dict()) Assert.Equal(expectedWeights[k].data<float>().ToArray(), t.data<float>().ToArray());
        Assert.DoesNotContain(Directory.GetDirectories(root), d => Path.GetFileName(d).StartsWith('.'));  // no temp folders left
    }

    [Fact]
    public void Checkpoint_load_must_detect_a_corrupted_or_truncated_file_by_hash()
    {
        var dir = Path.Combine(root, "c");
        using var g = new Generator(3);
        using var model = new GptLM(Tiny.Config, g);
        using var opt = new AdamW(model.parameters());
        Checkpoint.Save(dir, model, Tiny.Config, opt, step: 1);

        var weights = Path.Combine(dir, "model.safetensors");
        var bytes = File.ReadAllBytes(weights);
        bytes[bytes.Length / 2] ^= 0x40;
        File.WriteAllBytes(weights, bytes);
        var e = Assert.Throws<CheckpointCorruptException>(() => Checkpoint.Load(dir));
        Assert.Contains("model.safetensors", e.Message);
        Assert.Contains("sha256", e.Message);

        Checkpoint.Save(dir, model, Tiny.Config, opt, step: 1);
        var optimizer = Path.Combine(dir, "optimizer.bin");
        using (var f = new FileStream(optimizer, FileMode.Open)) f.SetLength(f.Length - 100);
        var e2 = Assert.Throws<CheckpointCorruptException>(() => Checkpoint.Load(dir));
        Assert.Contains("optimizer.bin is truncated", e2.Message);
    }

    [Fact]
    public void Model_loader_and_commands_must_read_a_checkpoint_and_score_per_token()
    {
        var dir = Path.Combine(root, "lm");
        var tok = new ByteTokenizer();
        var config = Tiny.Config with { VocabSize = tok.VocabSize };
        using var g = new Generator(5);
        using var model = new GptLM(config, g);
        Checkpoint.Save(dir, model, config);

        var json = new StringWriter();
        var lps = ModelCommands.Score(dir, "hello", null, json: true, json);
        using var doc = System.Text.Json.JsonDocument.Parse(json.ToString());
        Assert.Equal(tok.Encode("hello"), doc.RootElement.GetProperty("tokens").EnumerateArray().Select(x => x.GetInt32()));
        var jl = doc.RootElement.GetProperty("logprobs").EnumerateArray().ToArray();
        Assert.Equal(5, jl.Length);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, jl[0].ValueKind);
        Assert.Equal(lps, jl[1..].Select(x => x.GetDouble()));

        using (torch.no_grad())
        using (torch.NewDisposeScope())
        {
            model.eval();
            var ids = torch.tensor(tok.Encode("hello").Select(i => (long)i).ToArray(), [1, 5]);
            Tiny.AllClose(LogProbs.Shifted(model.forward(ids), ids), torch.tensor(lps, [1, 4]), 1e-6);
        }
        var text = new StringWriter();
        ModelCommands.Score(dir, null, [104, 105], json: false, text);
        Assert.Contains("sum of 1 log-probs", text.ToString());

        var output = new StringWriter();
        var generated = ModelCommands.Generate(dir, "hi", new GenerationConfig { MaxNewTokens = 4, DoSample = false }, output);
        using var expected = Sampler.Generate(model, [tok.Encode("hi")], new GenerationConfig { MaxNewTokens = 4, DoSample = false, EosTokenId = tok.EosId, PadTokenId = tok.PadId });
        Assert.Equal(tok.Decode(expected.Row(0).Select(x => (int)x), skipSpecialTokens: true), generated);
        Assert.Equal(generated + Environment.NewLine, output.ToString());
    }

    private static byte[] Bytes(Tensor t) => t.bytes.ToArray();

    [Fact]
    public void Checkpoint_files_must_be_plain_safetensors_that_PyBridge_reads_and_PyBridge_files_must_load()
    {
        var dir = Path.Combine(root, "st");
        using var g = new Generator(4);
        using var model = new GptLM(Tiny.Config, g);
        using var opt = new AdamW(model.parameters());
        TrainOneStep(model, opt);
        Checkpoint.Save(dir, model, Tiny.Config, opt, step: 3);
        var weights = Path.Combine(dir, "model.safetensors");
        var state = model.state_dict();

        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "manifest.json")))!;
        foreach (var f in manifest["files"]!.AsArray())                               // hashed while written = the file's hash
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(dir, (string)f!["name"]!)))), (string)f["sha256"]!);
        var read = Safetensors.LoadStateDict(weights);
        Assert.Equal(state.Keys.Order(), read.Keys.Order());
        foreach (var (k, t) in read) Assert.Equal(Bytes(state[k]), Bytes(t));

        File.Delete(weights);                                                          // a checkpoint whose weights PyBridge wrote
        Safetensors.SaveStateDict(weights, new Dictionary<string, Tensor>(state));
        var entry = manifest["files"]!.AsArray().Single(f => (string)f!["name"]! == "model.safetensors")!;
        entry["bytes"] = new FileInfo(weights).Length;
        entry["sha256"] = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(weights)));
        File.WriteAllText(Path.Combine(dir, "manifest.json"), manifest.ToJsonString());
        using var ckpt = Checkpoint.Load(dir);
        Assert.Equal(3, ckpt.Step);
        Assert.True(ckpt.HasOptimizer);
        foreach (var (k, t) in ckpt.Weights) Assert.Equal(Bytes(state[k]), Bytes(t));
    }

    [Fact]
    public void Safetensors_must_round_trip_every_dtype_scalars_and_empty_tensors()
    {
        using var scope = torch.NewDisposeScope();
        var tensors = new List<(string, Tensor)>
        {
            ("f32", torch.randn([3, 4])), ("f64", torch.randn([2], dtype: float64)), ("f16", torch.randn([5], dtype: float16)),
            ("bf16", torch.randn([2, 2], dtype: bfloat16)), ("i64", torch.tensor(new long[] { long.MinValue, 1 })),
            ("i32", torch.tensor(new[] { -7, 8 })), ("i16", torch.tensor(new short[] { -3 })), ("i8", torch.tensor(new sbyte[] { -1, 2 })),
            ("u8", torch.tensor(new byte[] { 255, 0, 1 })), ("bool", torch.tensor(new[] { true, false })),
            ("scalar", torch.tensor(2.5f)), ("empty", torch.zeros([0, 3])),
        };
        var bytes = new MemoryStream();
        Checkpoint.WriteSafetensors(bytes, tensors);
        Assert.Equal(0, BitConverter.ToInt64(bytes.ToArray(), 0) % 8);                  // tensor data 8-byte aligned

        bytes.Position = 0;
        var read = Checkpoint.ReadSafetensors(bytes, bytes.Length);
        try
        {
            Assert.Equal(tensors.Select(t => t.Item1), read.Keys);
            foreach (var (name, t) in tensors)
            {
                Assert.Equal(t.dtype, read[name].dtype);
                Assert.Equal(t.shape, read[name].shape);
                Assert.Equal(Bytes(t), Bytes(read[name]));
            }
        }
        finally { foreach (var t in read.Values) t.Dispose(); }
        bytes.Position = 0;
        var pybridge = Safetensors.LoadStateDict(bytes);
        foreach (var (name, t) in tensors) Assert.Equal(Bytes(t), Bytes(pybridge[name]));
    }

    [Fact]
    public void Checkpoint_load_and_restore_must_refuse_a_corrupt_header_or_optimizer_state_by_hash()
    {
        var dir = Path.Combine(root, "h");
        using var g = new Generator(6);
        using var model = new GptLM(Tiny.Config, g);
        using var opt = new AdamW(model.parameters());
        TrainOneStep(model, opt);
        void Flip(string name, Func<long, long> at)
        {
            var path = Path.Combine(dir, name);
            var bytes = File.ReadAllBytes(path);
            bytes[at(bytes.Length)] ^= 0x7f;
            File.WriteAllBytes(path, bytes);
        }
        void Refused(string name)
        {
            var e = Assert.Throws<CheckpointCorruptException>(() => Checkpoint.Load(dir));
            Assert.Contains(name + " is corrupt (sha256", e.Message);
        }

        Checkpoint.Save(dir, model, Tiny.Config, opt, step: 1);
        Flip("model.safetensors", _ => 7);                                            // header length: huge
        Refused("model.safetensors");
        Checkpoint.Save(dir, model, Tiny.Config, opt, step: 1);
        Flip("model.safetensors", _ => 20);                                           // inside the JSON header
        Refused("model.safetensors");
        Checkpoint.Save(dir, model, Tiny.Config, opt, step: 1);
        Flip("optimizer.bin", n => n / 2);
        Refused("optimizer.bin");

        Checkpoint.Save(dir, model, Tiny.Config, opt, step: 1);
        using var ckpt = Checkpoint.Load(dir);
        Flip("optimizer.bin", n => n - 1);                                            // changed between Load and Restore
        using var g2 = new Generator(7);
        using var fresh = new GptLM(Tiny.Config, g2);
        using var freshOpt = new AdamW(fresh.parameters());
        var e = Assert.Throws<CheckpointCorruptException>(() => ckpt.Restore(fresh, freshOpt));
        Assert.Contains("optimizer.bin changed since Load", e.Message);
    }
}
