using System.CommandLine;
using AkkaRlhf.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace AkkaRlhf.Hosting.Commands;

/// <summary>
/// <c>generate --model DIR --prompt TEXT</c> and <c>score --model DIR (--text TEXT | --token-ids 1,2,3) [--json]</c>.
/// DIR is an imported Hugging Face GPT-2 folder (config.json + model.safetensors) or one of our checkpoints.
/// </summary>
public static class ModelCommandsCli
{
    public static Command Generate()
    {
        var model = ModelOption();
        var prompt = new Option<string>("--prompt") { Description = "text to continue", Required = true };
        var maxNew = new Option<int>("--max-new-tokens") { Description = "tokens to generate", DefaultValueFactory = _ => 32 };
        var temperature = new Option<double>("--temperature") { Description = "sampling temperature (0 = greedy)", DefaultValueFactory = _ => 1.0 };
        var topK = new Option<int>("--top-k") { Description = "keep the k most likely tokens (0 = all)" };
        var topP = new Option<double>("--top-p") { Description = "nucleus sampling mass", DefaultValueFactory = _ => 1.0 };
        var seed = new Option<ulong?>("--seed") { Description = "sampling seed (reproducible output)" };
        var command = new Command("generate", "continue a prompt with a model") { model, prompt, maxNew, temperature, topK, topP, seed };
        command.SetAction(r => Cli.Run(() =>
        {
            var t = r.GetValue(temperature);
            var config = new GenerationConfig
            {
                MaxNewTokens = r.GetValue(maxNew),
                DoSample = t > 0,
                Temperature = t > 0 ? t : 1.0,
                TopK = r.GetValue(topK),
                TopP = r.GetValue(topP),
                Seed = r.GetValue(seed),
            };
            ModelCommands.Generate(r.GetValue(model)!, r.GetValue(prompt)!, config, Console.Out);
        }));
        return command;
    }

    public static Command Score()
    {
        var model = ModelOption();
        var text = new Option<string?>("--text") { Description = "text to score (encoded with the model's tokenizer)" };
        var ids = new Option<string?>("--token-ids") { Description = "comma-separated token ids to score" };
        var json = new Option<bool>("--json") { Description = "print {\"tokens\":[...],\"logprobs\":[null, ...]}" };
        var command = new Command("score", "per-token log-probs of a text under a language model (the first token has none), or its reward under a reward model") { model, text, ids, json };
        command.SetAction(r => Cli.Run(() =>
            ModelCommands.Score(r.GetValue(model)!, r.GetValue(text), ParseIds(r.GetValue(ids)), r.GetValue(json), Console.Out)));
        return command;
    }

    private static Option<string> ModelOption() =>
        new("--model") { Description = "model folder: a Hugging Face GPT-2 export or an AkkaRlhf checkpoint", Required = true };

    private static int[]? ParseIds(string? csv) => csv?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
        .Select((s, i) => int.TryParse(s, out var v) ? v : throw new FormatException($"--token-ids: item {i + 1} (\"{s}\") is not an integer"))
        .ToArray();
}
