using AkkaRlhf.Actors.Messages;
using AkkaRlhf.Actors.Pipeline;
using AkkaRlhf.Actors.Roles;
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
}
