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

/// <summary>Opens either one of our checkpoints (manifest.json) or a Hugging Face GPT-2 folder (config.json + model.safetensors).</summary>
public static class ModelLoader
{
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
            nn.Module model = ckpt.Kind switch
            {
                "lm" => new GptLM(ckpt.Config),
                "value" => new GptValue(ckpt.Config),
                "reward" => new GptReward(ckpt.Config),
                _ => throw new FormatException($"checkpoint {dir}: unknown model kind \"{ckpt.Kind}\""),
            };
            model.load_state_dict(ckpt.Weights);
            model.eval();
            return new LoadedModel(model, ckpt.Config, ckpt.Tokenizer ?? new ByteTokenizer(), ckpt.Kind);
        }
        if (HfGpt2.IsIn(dir))
        {
            var lm = HfGpt2.Load(dir);
            ITokenizer tok = Gpt2BpeTokenizer.IsIn(dir) ? Gpt2BpeTokenizer.FromFolder(dir) : new ByteTokenizer();
            return new LoadedModel(lm, lm.config, tok, "lm");
        }
        throw new FileNotFoundException($"{dir} is neither a checkpoint (manifest.json) nor a Hugging Face GPT-2 folder (config.json + model.safetensors)");
    }
}
