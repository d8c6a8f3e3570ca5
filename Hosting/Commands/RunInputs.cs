using AkkaRlhf.Actors.Pipeline;
using AkkaRlhf.Actors.Roles;
using AkkaRlhf.Configuration;
using AkkaRlhf.Models;
using AkkaRlhf.Models.Data;
using AkkaRlhf.Models.Synthetic;
using TorchSharp;
using static TorchSharp.torch;

namespace AkkaRlhf.Hosting.Commands;

/// <summary>
/// What a stage reads: the tokenizer and the JSONL files under <c>akka-rlhf.data</c>, and the starting (SFT) and
/// reward models. Shared by <c>train</c> and <c>node</c>, so every process of a clustered run builds the same models
/// from the same files. The tokenizer is the starting model's own when its folder has one (GPT-2 BPE: a Hugging Face
/// folder, or a model trained from one), with <c>akka-rlhf.data.chat-template</c>; else the word tokenizer of
/// <c>akka-rlhf.data.vocab</c> (the synthetic task's when empty) with the synthetic task's layout.
/// </summary>
internal sealed class RunInputs
{
    private readonly Config _data;
    private readonly JsonlReadOptions _options;
    private readonly string _command, _startOption;

    /// <param name="command">Names the command in errors, e.g. "train ppo".</param>
    /// <param name="start">The folder of the model the stage starts from, if any.</param>
    /// <param name="startOption">The option that named it (--model or --sft), for errors.</param>
    public RunInputs(Config config, string command, string? start = null, string startOption = "--model")
    {
        _startOption = startOption;
        _data = config.GetConfig("akka-rlhf.data");
        _options = _data.GetBoolean("skip-invalid", false) ? JsonlReadOptions.Lenient : JsonlReadOptions.Strict;
        _command = command;
        if (start is not null && Directory.Exists(start) && Gpt2BpeTokenizer.IsIn(start))       // a missing folder is reported when it is loaded
        {
            Tokenizer = Gpt2BpeTokenizer.FromFolder(start);
            Template = new ChatTemplate(_data.GetString("chat-template.user-prefix"), _data.GetString("chat-template.assistant-prefix"));
            return;
        }
        var vocab = ExistingFile("vocab");
        Tokenizer = vocab.Length > 0 ? WordTokenizer.Load(vocab) : SyntheticTask.Tokenizer;
        Template = SyntheticTask.ChatTemplate;
    }

    public ITokenizer Tokenizer { get; }

    public ChatTemplate Template { get; }

    /// <summary>The rows of <c>akka-rlhf.data.KEY</c> (none when the key is empty); bad rows fail with file:line:field, or are skipped and counted.</summary>
    public List<T> Read<T>(string key) where T : IJsonlRecord<T>
    {
        var path = ExistingFile(key);
        if (path.Length == 0) return [];
        JsonlReadResult<T> result;
        try { result = JsonlDataset.Read<T>(path, _options); }
        catch (DatasetException e) { throw new InvalidDataException($"{e.Message} (akka-rlhf.data.skip-invalid = on skips and counts bad rows)", e); }
        if (result.Skipped > 0)
            Console.Error.WriteLine($"{path}: skipped {result.Skipped} invalid rows ({string.Join("; ", result.SkipReasons)})");
        return result.Items.ToList();
    }

    /// <summary>As <see cref="Read{T}"/>, but at least one row is required.</summary>
    public List<T> Required<T>(string key) where T : IJsonlRecord<T> =>
        Read<T>(key) is { Count: > 0 } rows ? rows : throw new ConfigurationException($"{_command} needs akka-rlhf.data.{key} (a JSONL file with at least one row)");

    /// <summary>The held-out preference pairs, tokenized (empty without <c>akka-rlhf.data.preferences-eval</c>).</summary>
    public IReadOnlyList<TokenPreference> PreferencesEval() => TokenizedData.Preferences(Read<PreferenceExample>("preferences-eval"), Tokenizer, Template);

    /// <summary>The language model in <paramref name="dir"/> (--model / --sft: a checkpoint or a Hugging Face GPT-2 folder).</summary>
    public GptLM LoadSft(string? dir) =>
        dir is null ? throw new ArgumentException($"{_command} needs --model DIR (the model to start from: an SFT checkpoint or a Hugging Face GPT-2 folder)")
            : Fits(ModelLoader.Load(ExistingFolder(dir, _startOption)).LM, dir);

    /// <summary>
    /// The reward model of the checkpoint in <paramref name="dir"/> with its held-out accuracy, mean and std on
    /// <paramref name="eval"/> (the reward normalisation); null for another reward (rule-based, a plug-in) given no --rm.
    /// </summary>
    public TrainedRewardModel? LoadReward(PpoSettings ppo, string? dir, IReadOnlyList<TokenPreference> eval)
    {
        var needsModel = ppo.Reward.Type.Equals("reward-model", StringComparison.OrdinalIgnoreCase);
        if (!needsModel && dir is null) return null;
        if (dir is null) throw new ArgumentException($"{_command} needs --rm DIR (a reward-model checkpoint), or another akka-rlhf.ppo.reward.type (rule-based, a plug-in)");
        var loaded = ModelLoader.Load(ExistingFolder(dir, "--rm"));
        var model = loaded.Model as GptReward ?? throw new ConfigurationException($"--rm {dir}: a {loaded.Kind} model, not a reward model", path: "--rm");
        if (loaded.Tokenizer is Gpt2BpeTokenizer own && (Tokenizer as Gpt2BpeTokenizer)?.EncoderJson != own.EncoderJson)
            throw new ConfigurationException($"--rm {dir}: its tokenizer is not the policy's (train the reward model from the same base model)", path: "--rm");
        Fits(model, dir);
        var (accuracy, mean, std) = eval.Count > 0 ? RewardModelTrainer.Evaluate(model, eval, Tokenizer.PadId, CPU) : (1.0, 0.0, 1.0);
        return new TrainedRewardModel(model, new Dictionary<string, double> { ["heldout_accuracy"] = accuracy, ["reward_mean"] = mean, ["reward_std"] = std });
    }

    /// <summary>The file named by <c>akka-rlhf.data.KEY</c> ("" when unset); a path to nothing is a bad setting, before any training.</summary>
    private string ExistingFile(string key)
    {
        var path = _data.GetString(key, "");
        if (path.Length == 0 || File.Exists(path)) return path;
        var origin = _data.GetValue(key)?.Origin;
        throw new ConfigurationException($"{origin}: akka-rlhf.data.{key} = \"{path}\": no such file", origin, $"akka-rlhf.data.{key}");
    }

    /// <summary>A model folder given on the command line; a path to nothing is a bad setting, before any training.</summary>
    private static string ExistingFolder(string dir, string option) =>
        Directory.Exists(dir) ? dir : throw new ConfigurationException($"{option} {dir}: no such folder (a checkpoint folder written by train --out, or a Hugging Face GPT-2 folder)", path: option);

    /// <summary><paramref name="model"/>, when its vocabulary holds every id of the run's tokenizer.</summary>
    private T Fits<T>(T model, string dir) where T : nn.Module
    {
        var vocab = model switch { GptLM m => m.config.VocabSize, GptReward m => m.config.VocabSize, _ => int.MaxValue };
        return vocab >= Tokenizer.VocabSize ? model
            : throw new ConfigurationException($"{dir}: the model's vocab_size is {vocab}, the run's tokenizer has {Tokenizer.VocabSize} ids " +
                "(a model folder brings its own tokenizer files; else akka-rlhf.data.vocab is used)");
    }
}
