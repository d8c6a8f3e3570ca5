using System.Text.Json;
using AkkaRlhf.Models;
using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.PyBridge;
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
