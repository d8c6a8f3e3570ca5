using System.Text.Json.Nodes;
using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace AkkaRlhf.Models;

/// <summary>
/// Imports Hugging Face GPT-2 weights from a local folder (<c>config.json</c> + <c>model.safetensors</c>)
/// into <see cref="GptLM"/> names: the <c>transformer.</c> prefix is optional, Conv1D weights
/// (<c>c_attn</c>, <c>c_proj</c>, <c>c_fc</c>, stored (in, out)) are transposed to Linear's (out, in),
/// the <c>attn.bias</c>/<c>attn.masked_bias</c> buffers are skipped, and so is <c>lm_head.weight</c> when tied.
/// </summary>
public static class HfGpt2
{
    private static readonly string[] Conv1D = [".attn.c_attn.weight", ".attn.c_proj.weight", ".mlp.c_fc.weight", ".mlp.c_proj.weight"];

    /// <summary>True when <paramref name="dir"/> holds config.json and model.safetensors.</summary>
    public static bool IsIn(string dir) =>
        File.Exists(Path.Combine(dir, "config.json")) && File.Exists(Path.Combine(dir, "model.safetensors"));

    /// <summary>The <see cref="GptConfig"/> of an HF GPT-2 config.json.</summary>
    public static GptConfig ReadConfig(string configJson)
    {
        var c = JsonNode.Parse(configJson)?.AsObject() ?? throw new FormatException("config.json is empty");
        int Int(string key, string? alt = null) =>
            (int?)c[key] ?? (alt is null ? null : (int?)c[alt]) ?? throw new FormatException($"config.json lacks \"{key}\"");
        return new GptConfig
        {
            VocabSize = Int("vocab_size"),
            BlockSize = Int("n_positions", "n_ctx"),
            NLayer = Int("n_layer"),
            NHead = Int("n_head"),
            NEmbd = Int("n_embd"),
            LayerNormEpsilon = (double?)c["layer_norm_epsilon"] ?? 1e-5,
            TiedEmbeddings = (bool?)c["tie_word_embeddings"] ?? true,
            Dropout = 0,
        }.Validate();
    }

    /// <summary>Reads an HF GPT-2 folder into a new <see cref="GptLM"/> (float32, eval mode).</summary>
    public static GptLM Load(string dir)
    {
        var config = ReadConfig(File.ReadAllText(Path.Combine(dir, "config.json")));
        var tensors = Safetensors.LoadStateDict(Path.Combine(dir, "model.safetensors"));
        try
        {
            var model = new GptLM(config);
            try
            {
                using var scope = torch.NewDisposeScope();
                model.load_state_dict(Map(tensors, model, config));
                model.eval();
                return model;
            }
            catch { model.Dispose(); throw; }
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
    }

    /// <summary>HF tensors -> a state_dict of <paramref name="model"/>; throws naming the key for a missing, unexpected or mis-shaped tensor.</summary>
    public static Dictionary<string, Tensor> Map(IReadOnlyDictionary<string, Tensor> hf, GptLM model, GptConfig config)
    {
        var own = model.state_dict();
        var mapped = new Dictionary<string, Tensor>();
        foreach (var (key, t) in hf)
        {
            var k = key.StartsWith("transformer.", StringComparison.Ordinal) ? key["transformer.".Length..] : key;
            if (k.EndsWith(".attn.bias", StringComparison.Ordinal) || k.EndsWith(".attn.masked_bias", StringComparison.Ordinal)) continue;
            if (k == "lm_head.weight")
            {
                if (config.TiedEmbeddings) continue;           // tied: the same tensor as wte.weight
                mapped[k] = t;
                continue;
            }
            var name = "transformer." + k;
            if (!own.TryGetValue(name, out var target))
                throw new FormatException($"HF GPT-2 import: unexpected tensor \"{key}\" (no parameter {name} in the model)");
            var value = Conv1D.Any(s => k.EndsWith(s, StringComparison.Ordinal)) ? t.t() : t;   // (in, out) -> (out, in)
            if (!value.shape.SequenceEqual(target.shape))
                throw new FormatException($"HF GPT-2 import: tensor \"{key}\" has shape [{string.Join(", ", t.shape)}], " +
                    $"expected [{string.Join(", ", Conv1D.Any(s => k.EndsWith(s, StringComparison.Ordinal)) ? target.shape.Reverse() : target.shape)}] for this config");
            mapped[name] = value.to(target.dtype);
        }
        var missing = own.Keys.Where(k => !mapped.ContainsKey(k)).ToList();
        if (missing.Count > 0)
            throw new FormatException($"HF GPT-2 import: missing tensor(s) {string.Join(", ", missing.Select(m => "\"" + m.Replace("transformer.", "", StringComparison.Ordinal) + "\""))}");
        return mapped;
    }
}
