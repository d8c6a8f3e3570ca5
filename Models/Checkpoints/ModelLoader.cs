using TorchSharp;
using static TorchSharp.torch;

namespace AkkaRlhf.Models;

/// <summary>A model read from disk with its tokenizer. <see cref="Model"/> is a GptLM, GptValue or GptReward (see <see cref="Kind"/>).</summary>
public sealed record LoadedModel(nn.Module Model, GptConfig Config, ITokenizer Tokenizer, string Kind) : IDisposable
{
    /// <summary>The model as a language model; throws for value and reward models.</summary>
    public GptLM LM => Model as GptLM ?? throw new InvalidOperationException($"the model is a {Kind} model, not a language model");

    /// <inheritdoc/>
    public void Dispose() => Model.Dispose();
}

/// <summary>Opens either one of our checkpoints (manifest.json) or a Hugging Face GPT-2 folder (config.json + model.safetensors); saves a trained model in the form its tokenizer calls for.</summary>
public static class ModelLoader
{
    /// <summary>True when <paramref name="dir"/> holds a model <see cref="Load"/> reads.</summary>
    public static bool IsIn(string dir) => Checkpoint.IsIn(dir) || HfGpt2.IsIn(dir);

    /// <summary>
    /// Saves a trained language or reward model: as a Hugging Face GPT-2 folder with vocab.json + merges.txt when
    /// <paramref name="tokenizer"/> is GPT-2 BPE (transformers loads it too), else as a checkpoint (weights only); LoRA
    /// adapters are merged in.
    /// </summary>
    public static void Save(string dir, nn.Module model, ITokenizer tokenizer)
    {
        if (tokenizer is Gpt2BpeTokenizer) { HfGpt2.Save(dir, model, tokenizer); return; }
        using var merged = model is GptLM lm && Lora.ConfigOf(lm) is not null ? lm.Merged() : null;   // a plain model, as HfGpt2.Save writes one
        var plain = (nn.Module?)merged ?? model;
        Checkpoint.Save(dir, plain, plain switch { GptLM m => m.config, GptReward m => m.config, GptValue m => m.config,
            _ => throw new ArgumentException($"no GptConfig for a {model.GetType().Name}", nameof(model)) });
    }

    /// <summary>
    /// Reads the model in <paramref name="dir"/> (eval mode, CPU). The tokenizer is GPT-2 BPE when
    /// encoder.json and vocab.bpe are in the folder, else <see cref="ByteTokenizer"/>.
    /// </summary>
    public static LoadedModel Load(string dir)
    {
        if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"model folder {dir} does not exist");
        if (Checkpoint.IsIn(dir))
        {
            using var ckpt = Checkpoint.Load(dir);
            nn.Module model = Uninitialized.Create<nn.Module>(() => ckpt.Kind switch      // every weight is loaded
            {
                "lm" => new GptLM(ckpt.Config),
                "value" => new GptValue(ckpt.Config),
                "reward" => new GptReward(ckpt.Config),
                _ => throw new FormatException($"checkpoint {dir}: unknown model kind \"{ckpt.Kind}\""),
            });
            model.load_state_dict(ckpt.Weights);
            model.eval();
            return new LoadedModel(model, ckpt.Config, ckpt.Tokenizer ?? new ByteTokenizer(), ckpt.Kind);
        }
        if (HfGpt2.IsIn(dir))
        {
            var model = HfGpt2.LoadModel(dir);
            ITokenizer tok = Gpt2BpeTokenizer.IsIn(dir) ? Gpt2BpeTokenizer.FromFolder(dir) : new ByteTokenizer();
            return model is GptReward reward ? new LoadedModel(reward, reward.config, tok, "reward") : new LoadedModel(model, ((GptLM)model).config, tok, "lm");
        }
        throw new FileNotFoundException($"{dir} is neither a checkpoint (manifest.json) nor a Hugging Face GPT-2 folder (config.json + model.safetensors)");
    }
}
