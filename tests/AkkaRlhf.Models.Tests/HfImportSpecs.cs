using AkkaRlhf.Tests.Shared;
using System.Text.Json;
using AkkaRlhf.Models;
using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.PyBridge;
using static AkkaRlhf.Models.Scalars;
using static TorchSharp.torch;

namespace AkkaRlhf.Models.Tests;

public sealed class HfImportSpecs : IDisposable
{
    private const int V = 23, P = 16, C = 16, NH = 2, L = 2;
    private readonly string dir = Path.Combine(Path.GetTempPath(), "hf-gpt2-" + Guid.NewGuid().ToString("N"));
    private readonly Dictionary<string, float[]> w = [];
    private readonly Dictionary<string, long[]> shapes = [];

    public HfImportSpecs()
    {
        Directory.CreateDirectory(dir);
        var rng = new Random(11);
        void Add(string name, params long[] shape)
        {
            var n = (int)shape.Aggregate(1L, (a, b) => a * b);
            w[name] = Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() - 0.5) * (name.Contains("ln_") ? 0.4f : 0.6f)
                + (name.Contains("ln_") && name.EndsWith("weight") ? 1f : 0f)).ToArray();
            shapes[name] = shape;
        }
        Add("wte.weight", V, C);
        Add("wpe.weight", P, C);
        for (var i = 0; i < L; i++)
        {
            var h = $"h.{i}.";
            Add(h + "ln_1.weight", C); Add(h + "ln_1.bias", C);
            Add(h + "attn.c_attn.weight", C, 3 * C); Add(h + "attn.c_attn.bias", 3 * C);   // Conv1D: (in, out)
            Add(h + "attn.c_proj.weight", C, C); Add(h + "attn.c_proj.bias", C);
            Add(h + "ln_2.weight", C); Add(h + "ln_2.bias", C);
            Add(h + "mlp.c_fc.weight", C, 4 * C); Add(h + "mlp.c_fc.bias", 4 * C);
            Add(h + "mlp.c_proj.weight", 4 * C, C); Add(h + "mlp.c_proj.bias", C);
        }
        Add("ln_f.weight", C); Add("ln_f.bias", C);
    }

    public void Dispose() => Directory.Delete(dir, recursive: true);

    // The HF layout: transformer. prefix, attn.bias / attn.masked_bias buffers, tied lm_head.weight.
    private void WriteHfFolder(Func<string, string>? rename = null, Func<string, long[], long[]>? reshape = null)
    {
        using var scope = torch.NewDisposeScope();
        var tensors = new Dictionary<string, Tensor>();
        foreach (var (k, v) in w)
            tensors[rename?.Invoke("transformer." + k) ?? "transformer." + k] = torch.tensor(v, reshape?.Invoke(k, shapes[k]) ?? shapes[k]);
        for (var i = 0; i < L; i++)
        {
            tensors[$"transformer.h.{i}.attn.bias"] = torch.ones([P, P]).tril().view(1, 1, P, P);
            tensors[$"transformer.h.{i}.attn.masked_bias"] = torch.tensor(-1e4f);
        }
        tensors["lm_head.weight"] = torch.tensor(w["wte.weight"], [V, C]);
        Safetensors.SaveStateDict(Path.Combine(dir, "model.safetensors"), tensors);
        File.WriteAllText(Path.Combine(dir, "config.json"), JsonSerializer.Serialize(new
        {
            model_type = "gpt2", vocab_size = V, n_positions = P, n_embd = C, n_head = NH, n_layer = L,
            layer_norm_epsilon = 1e-5, activation_function = "gelu_new",
        }));
    }

    [Fact]
    public void Gpt2_import_must_give_the_logits_of_an_independent_computation()
    {
        WriteHfFolder();
        using var model = HfGpt2.Load(dir);
        int[] ids = [3, 17, 0, 22, 9, 9, 4];
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var logits = model.forward(torch.tensor(ids.Select(x => (long)x).ToArray(), [1, ids.Length]));
        var expected = Reference(ids);
        var actual = logits.to(ScalarType.Float64).data<double>().ToArray();
        var diff = expected.Zip(actual, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(diff < 1e-4, $"max |difference| {diff}");
        Assert.DoesNotContain(model.state_dict().Keys, k => k.EndsWith(".attn.bias") || k.EndsWith("masked_bias") || k.StartsWith("lm_head"));
    }

    [Fact]
    public void Gpt2_import_must_accept_keys_without_the_transformer_prefix()
    {
        WriteHfFolder(rename: k => k["transformer.".Length..]);
        using var loaded = ModelLoader.Load(dir);
        Assert.Equal("lm", loaded.Kind);
        Assert.IsType<ByteTokenizer>(loaded.Tokenizer);
        Assert.Equal(V, loaded.Config.VocabSize);
    }

    [Fact]
    public void Gpt2_import_must_name_the_key_of_a_missing_or_misshaped_tensor()
    {
        WriteHfFolder(reshape: (k, s) => k == "h.1.mlp.c_fc.weight" ? [4 * C, C] : s);
        var e = Assert.Throws<FormatException>(() => HfGpt2.Load(dir));
        Assert.Contains("transformer.h.1.mlp.c_fc.weight", e.Message);
        Assert.Contains($"[{4 * C}, {C}]", e.Message);

        WriteHfFolder(rename: k => k == "transformer.h.0.ln_2.bias" ? "transformer.h.0.ln_2.bogus" : k);
        var e2 = Assert.Throws<FormatException>(() => HfGpt2.Load(dir));
        Assert.Contains("h.0.ln_2", e2.Message);
    }

    [Fact]
    public void Export_must_write_back_the_hf_tensors_it_imported_bit_for_bit()
    {
        WriteHfFolder();
        using var model = HfGpt2.Load(dir);
        var exported = Path.Combine(dir, "exported");
        HfGpt2.Save(exported, model, Gpt2Files.Tokenizer);

        using var file = File.OpenRead(Path.Combine(exported, "model.safetensors"));
        var tensors = Checkpoint.ReadSafetensors(file, file.Length);
        Assert.Equal(w.Keys.Select(k => "transformer." + k).Order(), tensors.Keys.Order());           // tied: no lm_head.weight
        foreach (var (k, values) in w)
        {
            Assert.Equal(shapes[k], tensors["transformer." + k].shape);                               // Conv1D back to (in, out)
            Assert.Equal(values, tensors["transformer." + k].data<float>().ToArray());
        }
        var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(exported, "config.json"))).RootElement;
        Assert.Equal("GPT2LMHeadModel", config.GetProperty("architectures")[0].GetString());
        Assert.Equal((V, P, C, NH, L), (config.GetProperty("vocab_size").GetInt32(), config.GetProperty("n_positions").GetInt32(),
            config.GetProperty("n_embd").GetInt32(), config.GetProperty("n_head").GetInt32(), config.GetProperty("n_layer").GetInt32()));
        Assert.Equal(Gpt2Files.Tokenizer.EncoderJson, File.ReadAllText(Path.Combine(exported, "vocab.json")));
        Assert.Equal(Gpt2Files.Tokenizer.VocabBpe, File.ReadAllText(Path.Combine(exported, "merges.txt")));

        using var reloaded = ModelLoader.Load(exported);
        Assert.Equal(Gpt2Files.Tokenizer.EncoderJson, Assert.IsType<Gpt2BpeTokenizer>(reloaded.Tokenizer).EncoderJson);
        using var noGrad = torch.no_grad();
        var ids = torch.tensor(new long[] { 3, 17, 0, 22, 9 }, [1, 5]);
        Assert.Equal(model.forward(ids).data<float>().ToArray(), reloaded.LM.forward(ids).data<float>().ToArray());
        foreach (var t in tensors.Values) t.Dispose();
    }

    [Fact]
    public void A_reward_model_must_round_trip_as_a_sequence_classifier_and_load_one_without_a_head_bias()
    {
        var config = new GptConfig { VocabSize = V, BlockSize = P, NLayer = L, NHead = NH, NEmbd = C };
        using var reward = new GptReward(config, new Generator(5));
        using (var headBias = 0.75f.ToScalar()) using (torch.no_grad()) reward.score.bias!.fill_(headBias);
        var exported = Path.Combine(dir, "reward");
        HfGpt2.Save(exported, reward, Gpt2Files.Tokenizer);
        var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(exported, "config.json"))).RootElement;
        Assert.Equal("GPT2ForSequenceClassification", json.GetProperty("architectures")[0].GetString());
        Assert.Equal(1, json.GetProperty("num_labels").GetInt32());
        Assert.Equal(Gpt2Files.Tokenizer.PadId, json.GetProperty("pad_token_id").GetInt32());

        using var noGrad = torch.no_grad();
        var (ids, mask) = (torch.tensor(new long[] { 1, 2, 3, 4, 0, 5, 6, 7, 8, 9 }, [2, 5]), torch.tensor(new long[] { 1, 1, 1, 1, 0, 1, 1, 1, 1, 1 }, [2, 5]));
        var expected = reward.forward(ids, mask).data<float>().ToArray();
        using (var loaded = ModelLoader.Load(exported))
        {
            Assert.Equal("reward", loaded.Kind);
            Assert.Equal(expected, ((GptReward)loaded.Model).forward(ids, mask).data<float>().ToArray());
        }

        // transformers writes the head without a bias: it loads with bias 0, every reward 0.75 lower.
        Dictionary<string, Tensor> tensors;
        using (var file = File.OpenRead(Path.Combine(exported, "model.safetensors"))) tensors = Checkpoint.ReadSafetensors(file, file.Length);
        tensors.Remove("score.bias", out var bias);
        bias!.Dispose();
        using (var file = File.Create(Path.Combine(exported, "model.safetensors"))) Checkpoint.WriteSafetensors(file, tensors.Select(kv => (kv.Key, kv.Value)));
        using (var loaded = ModelLoader.Load(exported))
        {
            var shifted = ((GptReward)loaded.Model).forward(ids, mask).data<float>().ToArray();
            Assert.Equal(expected.Select(r => r - 0.75f), shifted, (a, b) => Math.Abs(a - b) < 1e-6);
        }
        foreach (var t in tensors.Values) t.Dispose();
    }

    [Fact]
    public void Export_must_merge_lora_adapters_and_refuse_a_model_without_an_hf_form()
    {
        var config = new GptConfig { VocabSize = V, BlockSize = P, NLayer = L, NHead = NH, NEmbd = C };
        using var model = new GptLM(config, new Generator(3));
        model.transformer.AddLora(new LoraConfig(Rank: 2, Alpha: 4, Dropout: 0, Targets: ["c_attn", "c_fc"]), new Generator(4));
        using (var scale = 0.1.ToScalar()) using (torch.no_grad())
            foreach (var (_, adapter) in Lora.Adapters(model)) adapter.lora_B.copy_(torch.randn(adapter.lora_B.shape, generator: new Generator(6)).mul_(scale));
        var exported = Path.Combine(dir, "merged");
        HfGpt2.Save(exported, model);

        using var noGrad = torch.no_grad();
        var ids = torch.tensor(new long[] { 3, 17, 0, 22, 9 }, [1, 5]);
        using var reloaded = ModelLoader.Load(exported);
        Assert.IsType<ByteTokenizer>(reloaded.Tokenizer);                                          // no tokenizer given: no tokenizer files
        var diff = (model.forward(ids) - reloaded.LM.forward(ids)).abs().max().ToDouble();
        Assert.True(diff < 1e-5, $"merged model differs from base + adapters by {diff}");

        var e = Assert.Throws<ArgumentException>(() => HfGpt2.Save(Path.Combine(dir, "value"), new GptValue(config)));
        Assert.Contains("GptValue", e.Message);
        Assert.False(Directory.Exists(Path.Combine(dir, "value")));
    }

    // ---- the straightforward computation, plain loops in double -----------------------------

    private double[] Reference(int[] ids)
    {
        var T = ids.Length;
        var hs = C / NH;
        var x = new double[T][];
        for (var t = 0; t < T; t++)
            x[t] = Enumerable.Range(0, C).Select(c => (double)w["wte.weight"][ids[t] * C + c] + w["wpe.weight"][t * C + c]).ToArray();
        for (var l = 0; l < L; l++)
        {
            var h = $"h.{l}.";
            var qkv = x.Select(r => Conv1D(LayerNorm(r, h + "ln_1"), h + "attn.c_attn", C, 3 * C)).ToArray();
            var y = new double[T][];
            for (var t = 0; t < T; t++) y[t] = new double[C];
            for (var head = 0; head < NH; head++)
                for (var i = 0; i < T; i++)
                {
                    var scores = new double[i + 1];
                    for (var j = 0; j <= i; j++)
                    {
                        double s = 0;
                        for (var d = 0; d < hs; d++) s += qkv[i][head * hs + d] * qkv[j][C + head * hs + d];
                        scores[j] = s / Math.Sqrt(hs);
                    }
                    var max = scores.Max();
                    var e = scores.Select(s => Math.Exp(s - max)).ToArray();
                    var z = e.Sum();
                    for (var j = 0; j <= i; j++)
                        for (var d = 0; d < hs; d++) y[i][head * hs + d] += e[j] / z * qkv[j][2 * C + head * hs + d];
                }
            for (var t = 0; t < T; t++)
            {
                var a = Conv1D(y[t], h + "attn.c_proj", C, C);
                for (var c = 0; c < C; c++) x[t][c] += a[c];
                var f = Conv1D(LayerNorm(x[t], h + "ln_2"), h + "mlp.c_fc", C, 4 * C).Select(Gelu).ToArray();
                var m = Conv1D(f, h + "mlp.c_proj", 4 * C, C);
                for (var c = 0; c < C; c++) x[t][c] += m[c];
            }
        }
        var logits = new List<double>();
        foreach (var r in x)
        {
            var n = LayerNorm(r, "ln_f");
            for (var v = 0; v < V; v++) logits.Add(Enumerable.Range(0, C).Sum(c => n[c] * w["wte.weight"][v * C + c]));
        }
        return logits.ToArray();
    }

    private double[] Conv1D(double[] input, string name, int inF, int outF)
    {
        var (W, b) = (w[name + ".weight"], w[name + ".bias"]);
        var o = new double[outF];
        for (var j = 0; j < outF; j++)
        {
            double s = b[j];
            for (var i = 0; i < inF; i++) s += input[i] * W[i * outF + j];
            o[j] = s;
        }
        return o;
    }

    private double[] LayerNorm(double[] r, string name)
    {
        var mean = r.Average();
        var variance = r.Select(v => (v - mean) * (v - mean)).Average();
        return r.Select((v, c) => (v - mean) / Math.Sqrt(variance + 1e-5) * w[name + ".weight"][c] + w[name + ".bias"][c]).ToArray();
    }

    private static double Gelu(double v) => 0.5 * v * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v)));
}
