using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace AkkaRlhf.Models;

/// <summary>
/// Hugging Face GPT-2 folders (<c>config.json</c> + <c>model.safetensors</c>, with the tokenizer's <c>vocab.json</c> +
/// <c>merges.txt</c>), read and written. Names map to ours as follows: the <c>transformer.</c> prefix is optional on
/// import; Conv1D weights (<c>c_attn</c>, <c>c_proj</c>, <c>c_fc</c>, stored (in, out)) are transposed to Linear's
/// (out, in); the <c>attn.bias</c>/<c>attn.masked_bias</c> buffers are skipped, and so is <c>lm_head.weight</c> when
/// tied. A <c>GPT2LMHeadModel</c> is a <see cref="GptLM"/>; a <c>GPT2ForSequenceClassification</c> with one label is a
/// <see cref="GptReward"/>, its <c>score</c> head bias-free in Hugging Face and with a bias here: the bias is written
/// as <c>score.bias</c>, which transformers drops with a warning (every reward then shifts by that one constant, the
/// ranking and the normalised rewards PPO uses do not change), and is 0 when a folder has none.
/// </summary>
public static class HfGpt2
{
    private const string LanguageModel = "GPT2LMHeadModel", SequenceClassifier = "GPT2ForSequenceClassification";

    private static readonly string[] Conv1D = [".attn.c_attn.weight", ".attn.c_proj.weight", ".mlp.c_fc.weight", ".mlp.c_proj.weight"];

    private static bool IsConv1D(string name) => Conv1D.Any(s => name.EndsWith(s, StringComparison.Ordinal));

    /// <summary>True when <paramref name="dir"/> holds config.json and model.safetensors.</summary>
    public static bool IsIn(string dir) =>
        File.Exists(Path.Combine(dir, "config.json")) && File.Exists(Path.Combine(dir, "model.safetensors"));

    /// <summary>The <see cref="GptConfig"/> of an HF GPT-2 config.json.</summary>
    public static GptConfig ReadConfig(string configJson)
    {
        var c = Parse(configJson);
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

    /// <summary>"reward" for a one-label <c>GPT2ForSequenceClassification</c>, else "lm" (the kinds of <see cref="Checkpoint.KindOf"/>).</summary>
    public static string KindOf(string configJson)
    {
        var c = Parse(configJson);
        if (c["architectures"] is not JsonArray { Count: > 0 } a || (string?)a[0] != SequenceClassifier) return "lm";
        var labels = (int?)c["num_labels"] ?? (c["id2label"] as JsonObject)?.Count ?? 1;
        return labels == 1 ? "reward" : throw new FormatException($"config.json: a {SequenceClassifier} with {labels} labels (a reward model has 1)");
    }

    /// <summary>Reads an HF GPT-2 language model folder into a new <see cref="GptLM"/> (float32, eval mode).</summary>
    public static GptLM Load(string dir) =>
        LoadModel(dir) as GptLM ?? throw new FormatException($"{dir}: a {SequenceClassifier} (reward model), not a language model");

    /// <summary>Reads an HF GPT-2 folder into a new <see cref="GptLM"/> or <see cref="GptReward"/> (float32, eval mode; see <see cref="KindOf"/>).</summary>
    public static nn.Module LoadModel(string dir)
    {
        var json = File.ReadAllText(Path.Combine(dir, "config.json"));
        var config = ReadConfig(json);
        var tensors = Safetensors.LoadStateDict(Path.Combine(dir, "model.safetensors"));
        try
        {
            nn.Module model = Uninitialized.Create<nn.Module>(() => KindOf(json) == "reward" ? new GptReward(config) : new GptLM(config));   // every weight is loaded
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
    public static Dictionary<string, Tensor> Map(IReadOnlyDictionary<string, Tensor> hf, nn.Module model, GptConfig config)
    {
        var own = model.state_dict();
        var mapped = new Dictionary<string, Tensor>();
        foreach (var (key, t) in hf)
        {
            var k = key.StartsWith("transformer.", StringComparison.Ordinal) ? key["transformer.".Length..] : key;
            if (k.EndsWith(".attn.bias", StringComparison.Ordinal) || k.EndsWith(".attn.masked_bias", StringComparison.Ordinal)) continue;
            if (k == "lm_head.weight" && config.TiedEmbeddings) continue;              // tied: the same tensor as wte.weight
            var name = k is "lm_head.weight" or "score.weight" or "score.bias" ? k : "transformer." + k;
            if (!own.TryGetValue(name, out var target))
                throw new FormatException($"HF GPT-2 import: unexpected tensor \"{key}\" (no parameter {name} in the {Checkpoint.KindOf(model)} model)");
            var value = IsConv1D(k) ? t.t() : t;                                        // (in, out) -> (out, in)
            if (!value.shape.SequenceEqual(target.shape))
                throw new FormatException($"HF GPT-2 import: tensor \"{key}\" has shape [{string.Join(", ", t.shape)}], " +
                    $"expected [{string.Join(", ", IsConv1D(k) ? target.shape.Reverse() : target.shape)}] for this config");
            mapped[name] = value.to(target.dtype);
        }
        if (own.ContainsKey("score.bias") && !mapped.ContainsKey("score.bias")) mapped["score.bias"] = torch.zeros(1);   // HF's head has no bias
        var missing = own.Keys.Where(k => !mapped.ContainsKey(k)).ToList();
        if (missing.Count > 0)
            throw new FormatException($"HF GPT-2 import: missing tensor(s) {string.Join(", ", missing.Select(m => "\"" + m.Replace("transformer.", "", StringComparison.Ordinal) + "\""))}");
        return mapped;
    }

    /// <summary>
    /// Writes <paramref name="model"/> (a <see cref="GptLM"/> or <see cref="GptReward"/>; LoRA adapters merged in) as an HF
    /// GPT-2 folder, replacing <paramref name="dir"/> atomically: config.json, model.safetensors (float32 as the model
    /// holds it, HF names and layouts) and, for a GPT-2 BPE <paramref name="tokenizer"/>, vocab.json + merges.txt.
    /// </summary>
    public static void Save(string dir, nn.Module model, ITokenizer? tokenizer = null)
    {
        var (config, architecture) = model switch
        {
            GptLM m => (m.config, LanguageModel),
            GptReward m => (m.config, SequenceClassifier),
            _ => throw new ArgumentException($"a {model.GetType().Name} has no Hugging Face GPT-2 form (language and reward models do)", nameof(model)),
        };
        if (!config.Bias) throw new ArgumentException("a Hugging Face GPT-2 has biases in every layer; this model has none (bias = false)", nameof(model));
        var eos = tokenizer?.EosId ?? config.VocabSize - 1;
        var json = new JsonObject
        {
            ["architectures"] = new JsonArray(architecture),
            ["model_type"] = "gpt2",
            ["vocab_size"] = config.VocabSize,
            ["n_positions"] = config.BlockSize,
            ["n_ctx"] = config.BlockSize,
            ["n_embd"] = config.NEmbd,
            ["n_layer"] = config.NLayer,
            ["n_head"] = config.NHead,
            ["activation_function"] = "gelu_new",
            ["layer_norm_epsilon"] = config.LayerNormEpsilon,
            ["tie_word_embeddings"] = config.TiedEmbeddings,
            ["resid_pdrop"] = config.Dropout,
            ["embd_pdrop"] = config.Dropout,
            ["attn_pdrop"] = config.Dropout,
            ["bos_token_id"] = eos,
            ["eos_token_id"] = eos,
            ["torch_dtype"] = "float32",
        };
        if (architecture == SequenceClassifier) { json["num_labels"] = 1; json["pad_token_id"] = tokenizer?.PadId ?? eos; }

        AtomicFolder.Write(dir, tmp =>
        {
            using var scope = torch.NewDisposeScope();
            var weights = (Lora.Adapters(model).Any() ? model.MergedStateDict() : model.state_dict())
                .Select(kv => (kv.Key, (IsConv1D(kv.Key) ? kv.Value.detach().t() : kv.Value.detach()).cpu().contiguous())).ToList();   // (out, in) -> (in, out)
            Write(tmp, "config.json", f => f.Write(Encoding.UTF8.GetBytes(json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }))));
            Write(tmp, "model.safetensors", f => Checkpoint.WriteSafetensors(f, weights, new Dictionary<string, string> { ["format"] = "pt" }));
            if (tokenizer is Gpt2BpeTokenizer bpe)
            {
                Write(tmp, "vocab.json", f => f.Write(Encoding.UTF8.GetBytes(bpe.EncoderJson)));
                Write(tmp, "merges.txt", f => f.Write(Encoding.UTF8.GetBytes(bpe.VocabBpe)));
            }
        });

        static void Write(string folder, string name, Action<Stream> write)
        {
            using var f = new FileStream(Path.Combine(folder, name), FileMode.CreateNew, FileAccess.Write);
            write(f);
            f.Flush(flushToDisk: true);
        }
    }

    private static JsonObject Parse(string configJson) =>
        JsonNode.Parse(configJson)?.AsObject() ?? throw new FormatException("config.json is empty");
}
