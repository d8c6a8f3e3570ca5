using AkkaRlhf.Actors.Messages;
using AkkaRlhf.Actors.Pipeline;
using AkkaRlhf.Actors.Roles;
using AkkaRlhf.Configuration;
using TorchSharp;
using static TorchSharp.torch;
using Xunit.Abstractions;

namespace AkkaRlhf.Actors.Tests;

public sealed class OfflineStageSpecs(ITestOutputHelper output) : RlhfTestKit(output)
{
    private static readonly List<TokenPair> Sft = Tiny.Prompts.Select(p => new TokenPair(Tiny.Template.EncodePrompt(Tiny.Tokenizer, p),
        [.. Tiny.Tokenizer.Encode("good a"), Tiny.Tokenizer.EosId])).ToList();

    private static readonly List<TokenPreference> Pairs = Tiny.Prompts.Select(p => new TokenPreference(Tiny.Template.EncodePrompt(Tiny.Tokenizer, p),
        [.. Tiny.Tokenizer.Encode("good b"), Tiny.Tokenizer.EosId], [.. Tiny.Tokenizer.Encode("bad b"), Tiny.Tokenizer.EosId])).ToList();

    [Fact]
    public void Sft_trainer_must_report_every_step_and_lower_the_loss()
    {
        var progress = new RecordingProgress();
        var trainer = Sys.ActorOf(SftTrainer.Props(Tiny.Policy(), Sft, (Tiny.Settings.Sft with { Steps = 20, BatchSize = 5, Optim = Tiny.Settings.Sft.Optim with { Lr = 1e-2 } }), Tiny.Tokenizer.PadId, progress, 1));
        trainer.Tell(new RunStage(1, 20));
        var done = ExpectMsg<StageFinished>(TimeSpan.FromSeconds(30));
        Assert.Equal("sft", done.Stage);
        var losses = progress.Steps.Select(s => s.Metrics["loss"]).ToList();
        Assert.Equal(20, losses.Count);
        Assert.True(losses[^1] < losses[0] * 0.7, string.Join(", ", losses));
    }

    [Fact]
    public void Reward_model_trainer_must_learn_the_preferences_pairwise_and_listwise()
    {
        foreach (var listwise in new[] { false, true })
        {
            var rankings = Pairs.Select(p => new TokenRanking(p.Prompt, [p.Rejected, p.Chosen], 1)).ToList();
            var trainer = Sys.ActorOf(RewardModelTrainer.Props(Tiny.Reward(), Pairs, rankings, Pairs,
                (Tiny.Settings.RewardModel with { Steps = 20, BatchSize = 5, Listwise = listwise }), Tiny.Tokenizer.PadId, new RecordingProgress(), 1));
            trainer.Tell(new RunStage(1, 20));
            var done = ExpectMsg<StageFinished>(TimeSpan.FromSeconds(30));
            Assert.Equal(1.0, done.Summary["heldout_accuracy"]);
        }
    }

    [Fact]
    public void Dpo_learner_must_ask_the_reference_once_per_batch_then_prefer_the_chosen_responses()
    {
        var reference = CreateTestProbe();
        var sft = Tiny.Policy();
        var progress = new RecordingProgress();
        var dpo = Sys.ActorOf(DpoLearner.Props(Tiny.Policy(), reference.Ref, Pairs, (Tiny.Settings.Dpo with { Steps = 15, BatchSize = 5, Loss = Models.Losses.DpoLossType.Sigmoid }), Tiny.Tokenizer.PadId, progress, 1));
        dpo.Tell(new RunStage(1, 15));
        for (var i = 0; i < 2; i++)                                                    // chosen, then rejected: one batch each
        {
            var ask = reference.ExpectMsg<ScoreReference>();
            using var noGrad = torch.no_grad();
            reference.Reply(new ReferenceLogProbs(ask.BatchId, Scoring.ResponseLogProbs(sft, ask.Batch)));
        }
        var done = ExpectMsg<StageFinished>(TimeSpan.FromSeconds(30));
        reference.ExpectNoMsg(TimeSpan.FromMilliseconds(50));
        Assert.Equal(0.693147, progress.Steps[0].Metrics["loss"], 2);                 // ln 2 while pi is (almost) pi_ref
        Assert.Equal(1.0, done.Summary["reward_accuracy"]);
    }

    /// <summary>Records what a stage reports before its first step.</summary>
    private sealed class Preparing : IProgressReporter
    {
        public readonly List<(string Stage, string What, int Done, int Total)> Calls = [];
        public void StageStarted(string stage, int totalSteps) { }
        public void StepCompleted(string stage, int step, IReadOnlyDictionary<string, double> metrics) { }
        public void StageCompleted(string stage, IReadOnlyDictionary<string, double> summary) { }
        public void StagePreparing(string stage, string what, int done, int total) { lock (Calls) Calls.Add((stage, what, done, total)); }
    }

    [Fact]
    public void Dpo_learner_must_report_its_reference_pass_before_the_first_step()
    {
        var progress = new Preparing();
        var pairs = Enumerable.Range(0, 30).Select(i => Pairs[i % Pairs.Count]).ToList();          // 30 pairs: one chunk of 256
        var settings = (Tiny.Settings.Dpo with { Steps = 1, BatchSize = 5 }).WithLora(new Models.LoraConfig(2, 4, 0, ["c_attn"]));
        Sys.ActorOf(DpoLearner.Props(Tiny.Policy(), ActorRefs.Nobody, pairs, settings, Tiny.Tokenizer.PadId, progress, 1)).Tell(new RunStage(1, 1));
        ExpectMsg<StageFinished>(TimeSpan.FromSeconds(30));
        Assert.Equal([("dpo", "reference log-probs of the pairs", 30, 30)], progress.Calls);
    }

    [Fact]
    public void Dpo_learner_with_lora_must_take_its_reference_from_the_adapters_off_and_train_only_the_adapters()
    {
        var reference = CreateTestProbe();
        var progress = new RecordingProgress();
        var policy = Tiny.Policy();
        var lora = new Models.LoraConfig(Rank: 4, Alpha: 16, Dropout: 0, Targets: ["c_attn", "c_proj", "c_fc"]);
        var settings = (Tiny.Settings.Dpo with { Steps = 15, BatchSize = 5, Loss = Models.Losses.DpoLossType.Sigmoid }).WithLora(lora);
        var dpo = Sys.ActorOf(DpoLearner.Props(policy, reference.Ref, Pairs, settings, Tiny.Tokenizer.PadId, progress, 1));
        dpo.Tell(new RunStage(1, 15));
        var done = ExpectMsg<StageFinished>(TimeSpan.FromSeconds(30));
        reference.ExpectNoMsg(TimeSpan.FromMilliseconds(50));                           // no reference actor asked: one copy of the model
        Assert.Equal(0.693147, progress.Steps[0].Metrics["loss"], 4);                 // ln 2: new adapters leave pi = pi_ref exactly
        Assert.True(done.Summary["reward_accuracy"] >= 0.8, $"reward_accuracy {done.Summary["reward_accuracy"]}");

        var untouched = Tiny.Policy().state_dict();                                    // the same seed: the SFT weights
        var trained = policy.state_dict();
        foreach (var (name, t) in untouched)                                           // the base model did not move
            Assert.True(t.equal(trained[name]).all().item<bool>(), $"{name} changed");
        Assert.All(Models.Lora.Adapters(policy), a => Assert.True(a.Adapter.lora_B.abs().sum().ToDouble() > 0, $"{a.Name} did not train"));
    }

    [Fact]
    public async Task A_dpo_stage_with_lora_must_return_the_plain_model_with_its_adapters_merged()
    {
        var lora = new Models.LoraConfig(Rank: 4, Alpha: 16, Dropout: 0, Targets: ["c_attn", "c_fc"]);
        var settings = PipelineSettings.FromConfig(PipelineSettings.Reference) with
        {
            Dpo = (Tiny.Settings.Dpo with { Steps = 5, BatchSize = 5, Loss = Models.Losses.DpoLossType.Sigmoid }).WithLora(lora),
        };
        var sft = Tiny.Policy();
        var data = new PipelineData(Tiny.Tokenizer, Tiny.Template, [], Pairs, [], null, Tiny.Prompts);
        var (policy, _) = await new RlhfPipeline(Sys, settings, new RecordingProgress()).Dpo(data, sft);

        Assert.Empty(Models.Lora.Adapters(policy));
        var (before, after) = (sft.state_dict(), policy.state_dict());
        Assert.Equal(before.Keys.Order(), after.Keys.Order());                            // a plain model: the base names only
        var moved = before.Where(kv => !kv.Value.equal(after[kv.Key]).all().item<bool>()).Select(kv => kv.Key).ToList();
        Assert.NotEmpty(moved);
        Assert.All(moved, name => Assert.Matches(@"\.(c_attn|c_fc)\.weight$", name));      // only the adapted projections, merged in
    }

    [Fact]
    public void Lora_settings_must_be_read_from_the_dpo_block_and_bad_ones_refused_by_key()
    {
        var on = PipelineSettings.FromConfig(ConfigurationFactory.ParseString("akka-rlhf.dpo.lora { rank = 8, targets = [c_attn] }")
            .WithFallback(PipelineSettings.Reference));
        Assert.Equal((8, 16.0, 0.0), (on.Dpo.Lora!.Rank, on.Dpo.Lora.Alpha, on.Dpo.Lora.Dropout));   // alpha and dropout from reference.conf
        Assert.Equal(["c_attn"], on.Dpo.Lora.Targets);
        Assert.Null(PipelineSettings.FromConfig(PipelineSettings.Reference).Dpo.Lora);    // rank 0: full fine-tuning
        var e = Assert.Throws<ConfigurationException>(() => PipelineSettings.FromConfig(
            ConfigurationFactory.ParseString("akka-rlhf.dpo.lora { rank = 8, targets = [q_proj] }").WithFallback(PipelineSettings.Reference)));
        Assert.Contains("akka-rlhf.dpo.lora.targets", e.Message);
        Assert.Contains("q_proj", e.Message);
    }
}
