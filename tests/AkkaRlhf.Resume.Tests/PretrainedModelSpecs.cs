using System.Text.Json;
using AkkaRlhf.Actors.Pipeline;
using AkkaRlhf.Actors.Roles;
using AkkaRlhf.Models;
using AkkaRlhf.Models.Data;
using AkkaRlhf.Tests.Shared;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace AkkaRlhf.Resume.Tests;

/// <summary>
/// A pretrained model through every stage, as a user runs it: a random GPT-2 folder in Hugging Face's layout with GPT-2's
/// real BPE files goes through <c>train sft --model</c>, <c>train rm</c>, <c>train ppo</c> and <c>train dpo</c> (CLI
/// processes, the role actors inside), each stage starting from the folder the previous one saved, and each saving a
/// Hugging Face folder that the next stage, <c>score</c> and the spec itself reload.
/// </summary>
public sealed class PretrainedModelSpecs(ITestOutputHelper output) : IDisposable
{
    private readonly CliHarness _cli = new(output);

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task A_gpt2_folder_must_go_through_sft_rm_ppo_and_dpo_with_its_own_tokenizer_and_reload_and_score_identically()
    {
        // The demo's data, with the preference files cut to 64 rows: DPO precomputes the reference's log-probs of every
        // pair, and each is a softmax over GPT-2's 50,257 ids.
        var config = await _cli.Prepare(TinyCliConfig.Hocon("""
            data { preferences = "data/prefs_64.jsonl", preferences-eval = "data/prefs_eval_64.jsonl" }
            rm { steps = 4, batch-size = 8 }
            ppo { iterations = 2, prompts-per-iteration = 8, mode = sync, generator { pool-size = 1, max-new-tokens = 6 } }
            dpo { steps = 4, batch-size = 8 }
            """));
        foreach (var (from, to) in new[] { ("prefs_train", "prefs_64"), ("prefs_eval", "prefs_eval_64") })
            File.WriteAllLines(Path.Combine(_cli.Dir, "data", to + ".jsonl"), File.ReadLines(Path.Combine(_cli.Dir, "data", from + ".jsonl")).Take(64));
        RandomGpt2Folder.Write(Path.Combine(_cli.Dir, "gpt2"));

        await _cli.Run("train", "sft", "--config", config, "--model", "gpt2", "--out", "sft");
        await _cli.Run("train", "rm", "--config", config, "--model", "sft/model", "--out", "rm");
        await _cli.Run("train", "ppo", "--config", config, "--model", "sft/model", "--rm", "rm/model", "--out", "ppo");
        await _cli.Run("train", "dpo", "--config", config, "--model", "sft/model", "--out", "dpo");

        string Dir(string name) => Path.Combine(_cli.Dir, name);
        foreach (var (stage, architecture) in new[] { ("sft", "GPT2LMHeadModel"), ("rm", "GPT2ForSequenceClassification"), ("ppo", "GPT2LMHeadModel"), ("dpo", "GPT2LMHeadModel") })
        {
            var model = Path.Combine(Dir(stage), "model");
            using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(model, "config.json")));
            Assert.Equal(architecture, json.RootElement.GetProperty("architectures")[0].GetString());
            Assert.Equal(Gpt2Files.EncoderJson, File.ReadAllText(Path.Combine(model, "vocab.json")));   // the base model's tokenizer, passed on
            Assert.Equal(Gpt2Files.VocabBpe, File.ReadAllText(Path.Combine(model, "merges.txt")));
            Assert.False(File.Exists(Path.Combine(model, "manifest.json")));
        }

        // Every stage trained: SFT's loss fell, and each stage's weights moved from the model it started from.
        var sftLoss = Series(Dir("sft"), "loss");
        Assert.True(sftLoss[^1] < sftLoss[0], $"SFT loss {sftLoss[0]} -> {sftLoss[^1]}");
        using var gpt2 = ModelLoader.Load(Dir("gpt2"));
        using var sft = ModelLoader.Load(Path.Combine(Dir("sft"), "model"));
        using var ppo = ModelLoader.Load(Path.Combine(Dir("ppo"), "model"));
        using var dpo = ModelLoader.Load(Path.Combine(Dir("dpo"), "model"));
        using var rm = ModelLoader.Load(Path.Combine(Dir("rm"), "model"));
        Assert.True(MaxDifference(gpt2.LM, sft.LM) > 1e-4);
        Assert.True(MaxDifference(sft.LM, ppo.LM) > 1e-6);
        Assert.True(MaxDifference(sft.LM, dpo.LM) > 1e-6);
        Assert.Equal(2, Series(Dir("ppo"), "reward").Count);

        // Reloaded, the reward model scores the held-out pairs (GPT-2 BPE, the chat template) exactly as the run did.
        var tokenizer = Assert.IsType<Gpt2BpeTokenizer>(rm.Tokenizer);
        var eval = TokenizedData.Preferences(JsonlDataset.Read<PreferenceExample>(Path.Combine(_cli.Dir, "data", "prefs_eval_64.jsonl")).Items,
            tokenizer, new ChatTemplate());
        var (accuracy, _, _) = RewardModelTrainer.Evaluate((GptReward)rm.Model, eval, tokenizer.PadId, CPU);
        using (var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(Dir("rm"), "report.json"))))
            Assert.Equal(report.RootElement.GetProperty("rewardModelAccuracy").GetDouble(), accuracy);

        // The score command reads the saved folders as the spec does: the same log-probs and reward, to the bit.
        const string text = "User: your dog\nAssistant: finds my gentle farmer loudly.";
        var ids = tokenizer.Encode(text);
        Assert.Equal(Gpt2Files.Reference.EncodeToIds(text), ids);
        var scored = JsonDocument.Parse((await _cli.Output("score", "--model", "ppo/model", "--text", text, "--json")).Single()).RootElement;
        Assert.Equal(ids, scored.GetProperty("tokens").EnumerateArray().Select(t => t.GetInt32()));
        Assert.Equal(LogProbs(ppo.LM, ids), scored.GetProperty("logprobs").EnumerateArray().Skip(1).Select(l => l.GetDouble()));
        var reward = JsonDocument.Parse((await _cli.Output("score", "--model", "rm/model", "--text", text, "--json")).Single()).RootElement;
        using (torch.no_grad())
            Assert.Equal(((GptReward)rm.Model).forward(torch.tensor(ids.Select(i => (long)i).ToArray(), [1, ids.Length])).to(ScalarType.Float64).item<double>(),
                reward.GetProperty("reward").GetDouble());
    }

    private static List<double> Series(string runDir, string name)
    {
        using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(runDir, "report.json")));
        return report.RootElement.GetProperty("series").EnumerateArray().Single(s => s.GetProperty("name").GetString() == name)
            .GetProperty("points").EnumerateArray().Select(p => p.GetProperty("value").GetDouble()).ToList();
    }

    private static double MaxDifference(GptLM a, GptLM b)
    {
        using var scope = torch.NewDisposeScope();
        var other = b.state_dict();
        return a.state_dict().Max(kv => (kv.Value - other[kv.Key]).abs().max().ToDouble());
    }

    private static double[] LogProbs(GptLM model, int[] ids)
    {
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var input = torch.tensor(ids.Select(i => (long)i).ToArray(), [1, ids.Length]);
        return AkkaRlhf.Models.LogProbs.Shifted(model.forward(input), input).to(ScalarType.Float64).data<double>().ToArray();
    }
}
