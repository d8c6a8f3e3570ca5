using System.Globalization;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace AkkaRlhf.Models;

/// <summary>The model commands of the <c>akka-rlhf</c> CLI (generate, score), as plain static methods.</summary>
public static class ModelCommands
{
    /// <summary>
    /// Loads the model in <paramref name="modelDir"/> (<see cref="ModelLoader"/>), continues
    /// <paramref name="prompt"/> and writes the generated text (special tokens dropped) and a newline.
    /// EOS defaults to the tokenizer's; padding is always the tokenizer's. Returns the text.
    /// </summary>
    public static string Generate(string modelDir, string prompt, GenerationConfig config, TextWriter output)
    {
        VmlWarmup.Ensure();                                                           // libtorch's intra-op threads share the first exp
        using var loaded = ModelLoader.Load(modelDir);
        var tok = loaded.Tokenizer;
        var ids = tok.Encode(prompt);
        if (ids.Length == 0) throw new ArgumentException("the prompt encodes to no tokens");
        var room = loaded.Config.BlockSize - ids.Length;
        if (room < 1) throw new ArgumentException($"the prompt has {ids.Length} tokens; block_size is {loaded.Config.BlockSize}");
        config = config with
        {
            EosTokenId = config.EosTokenId ?? tok.EosId,
            PadTokenId = tok.PadId,
            MaxNewTokens = Math.Min(config.MaxNewTokens, room),
        };
        using var result = Sampler.Generate(loaded.LM, [ids], config);
        var text = tok.Decode(result.Row(0).Select(x => (int)x), skipSpecialTokens: true);
        output.WriteLine(text);
        return text;
    }

    /// <summary>
    /// Per-token log-probs of <paramref name="text"/> (encoded with the model's tokenizer) or of
    /// <paramref name="tokenIds"/> (exactly one of them) under the model in <paramref name="modelDir"/>.
    /// With <paramref name="json"/>: <c>{"tokens":[id, ...],"logprobs":[null, lp1, ...]}</c>, both of
    /// length n: logprobs[i] = log p(tokens[i] | tokens[..i]), null for the first token, which has no
    /// context. Otherwise one line per token (index, id, text, log-prob) and a line with the sum.
    /// Returns the n - 1 log-probs. A reward model gives the sequence's reward instead (<c>{"tokens":[...],"reward":r}</c>),
    /// returned as a one-element array.
    /// </summary>
    public static double[] Score(string modelDir, string? text, int[]? tokenIds, bool json, TextWriter output)
    {
        if ((text is null) == (tokenIds is null)) throw new ArgumentException("give either text or token ids, not both or neither");
        VmlWarmup.Ensure();
        using var loaded = ModelLoader.Load(modelDir);
        var ids = tokenIds ?? loaded.Tokenizer.Encode(text!);
        if (ids.Length == 0) throw new ArgumentException("nothing to score: no tokens");
        if (ids.Length > loaded.Config.BlockSize) throw new ArgumentException($"{ids.Length} tokens exceed block_size {loaded.Config.BlockSize}");
        if (ids.FirstOrDefault(i => i < 0 || i >= loaded.Config.VocabSize, -1) is var bad && bad >= 0)
            throw new ArgumentException($"token id {bad} is outside the vocabulary (0..{loaded.Config.VocabSize - 1})");

        if (loaded.Model is GptReward reward)
        {
            double value;
            using (torch.no_grad())
            using (var scope = torch.NewDisposeScope())
                value = reward.forward(torch.tensor(ids.Select(i => (long)i).ToArray(), [1, ids.Length])).to(ScalarType.Float64).item<double>();
            output.WriteLine(json ? JsonSerializer.Serialize(new { tokens = ids, reward = value })
                : string.Create(CultureInfo.InvariantCulture, $"reward of {ids.Length} tokens: {value:F6}"));
            return [value];
        }

        double[] logprobs;
        using (torch.no_grad())
        using (var scope = torch.NewDisposeScope())
        {
            var input = torch.tensor(ids.Select(i => (long)i).ToArray(), [1, ids.Length]);
            var lp = LogProbs.Shifted(loaded.LM.forward(input), input);             // (1, n - 1)
            logprobs = lp.to(ScalarType.Float64).data<double>().ToArray();
        }

        if (json)
        {
            output.WriteLine(JsonSerializer.Serialize(new { tokens = ids, logprobs = new double?[] { null }.Concat(logprobs.Select(x => (double?)x)) }));
            return logprobs;
        }
        for (var i = 0; i < ids.Length; i++)
        {
            var piece = JsonSerializer.Serialize(loaded.Tokenizer.Decode([ids[i]]));
            var lp = i == 0 ? "-" : logprobs[i - 1].ToString("F4", CultureInfo.InvariantCulture);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{i,5} {ids[i],7} {piece,-20} {lp}"));
        }
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"sum of {logprobs.Length} log-probs: {logprobs.Sum():F4}"));
        return logprobs;
    }
}
