using AkkaRlhf.Actors.Messages;
using AkkaRlhf.Actors.Pipeline;
using AkkaRlhf.Actors.Plugins;
using AkkaRlhf.Actors.Roles;
using AkkaRlhf.Models;
using TorchSharp;
using static TorchSharp.torch;
using Xunit.Abstractions;

namespace AkkaRlhf.Actors.Tests;

/// <summary>
/// Each role through the public testkit (<see cref="RlhfTestKit"/>, <see cref="RoleProbe"/>, <see cref="Tiny"/>), the way a
/// user tests a role of their own: send its batch, expect its reply with <c>ExpectBatch</c>, check shapes and values
/// against an independent computation; a role under supervision that throws is restarted and serves the next batch.
/// </summary>
public sealed class TestKitRoleSpecs(ITestOutputHelper output) : RlhfTestKit(output)
{
    private static readonly TimeSpan Slow = TimeSpan.FromSeconds(20);

    [Fact]
    public void Rollout_generator_must_answer_k_samples_per_prompt_with_their_log_probs_under_its_policy()
    {
        var policy = Tiny.Policy();
        var generator = Sys.ActorOf(RolloutGenerator.Props(policy, (Tiny.Settings.Ppo.Sampling with { MaxNewTokens = 5 }), Tiny.Tokenizer.PadId, Tiny.Tokenizer.EosId, 3, CPU));
        var prompts = new[] { "a b", "c" }.Select(p => Tiny.Template.EncodePrompt(Tiny.Tokenizer, p).ToArray()).ToList();
        generator.Tell(new GenerateRollouts(7, 0, prompts, SamplesPerPrompt: 3));
        var rollout = ExpectBatch<RolloutBatch>(7, Slow);
        Assert.Equal(6, rollout.Batch.Count);                                         // 2 prompts x 3 samples
        Assert.Equal(0, rollout.PolicyVersion);
        using var noGrad = torch.no_grad();
        var again = Scoring.ResponseLogProbs(policy, rollout.Batch);                  // the sampled tokens, scored by the same policy
        Assert.Equal(again.shape, rollout.LogProbs.shape);
        Assert.True(again.sub(rollout.LogProbs).abs().max().ToDouble() < 1e-4);
    }

    [Fact]
    public void Rollout_generator_in_micro_batches_must_answer_every_prompt_in_order_with_its_log_probs()
    {
        var policy = Tiny.Policy();
        var settings = Tiny.Settings.Ppo.Sampling with { MaxNewTokens = 5, MicroBatchSize = 4 };               // passes of 2 prompts x 2 samples
        var generator = Sys.ActorOf(RolloutGenerator.Props(policy, settings, Tiny.Tokenizer.PadId, Tiny.Tokenizer.EosId, 3, CPU));
        var prompts = new[] { "a b", "c", "d e a", "b", "e" }.Select(p => Tiny.Template.EncodePrompt(Tiny.Tokenizer, p).ToArray()).ToList();
        generator.Tell(new GenerateRollouts(7, 0, prompts, SamplesPerPrompt: 2));
        var rollout = ExpectBatch<RolloutBatch>(7, Slow);
        Assert.Equal(10, rollout.Batch.Count);                                        // 5 prompts x 2 samples, three passes joined
        for (var row = 0; row < 10; row++)
            Assert.Equal(prompts[row / 2].Select(i => (long)i), rollout.Batch.Row(row).Prompt);
        using var noGrad = torch.no_grad();
        var again = Scoring.ResponseLogProbs(policy, rollout.Batch);                  // re-padded on joining: still the sampled tokens' log-probs
        Assert.True(again.sub(rollout.LogProbs).mul(rollout.Batch.ActionMask).abs().max().ToDouble() < 1e-4);

        var sampling = RolloutGenerator.Sampling(settings, Tiny.Tokenizer.PadId, Tiny.Tokenizer.EosId) with { Seed = RolloutGenerator.SeedOf(3, 7, 0) };
        var (first, _) = RolloutGenerator.Generate(policy, prompts.Take(2).ToList(), 2, sampling, Tiny.Tokenizer.PadId, CPU);
        for (var row = 0; row < 4; row++)                                             // the first pass is a plain pass with the request's seed
            Assert.Equal(first.Row(row).Response, rollout.Batch.Row(row).Response);
    }

    [Fact]
    public void Rule_based_reward_must_count_positive_words_and_charge_a_missing_eos()
    {
        var rule = new RuleBasedRewardScorer.Rule(new HashSet<int> { Tiny.Good }, new HashSet<int> { Tiny.Tokenizer.IdOf("bad")!.Value },
            WordWeight: 1.5, MissingEosPenalty: 2, Tiny.Tokenizer.EosId);
        var scorer = Sys.ActorOf(RuleBasedRewardScorer.Props(rule));
        scorer.Tell(new ScoreRewards(3, Tiny.Batch(("a", "good good b"), ("b", "bad c"))));
        Assert.Equal([3.0f, -1.5f], ExpectBatch<RewardScores>(3).Scores.data<float>().ToArray());   // 2 x 1.5; -1.5 (both end with EOS)
    }

    [Fact]
    public void Grpo_learner_must_answer_each_update_with_the_next_policy_version_and_weights_that_changed()
    {
        var policy = Tiny.Policy();
        var before = policy.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        var ppo = Tiny.Ppo(iterations: 1, learner: "grpo");
        var learner = Sys.ActorOf(GrpoLearner.Props(Trainer.RoleContextOf("learner", ppo.Learner, Tiny.Models(policy, critic: false), ppo)));
        var batch = Tiny.Batch(("a", "good b"), ("a", "c d"), ("b", "good"), ("b", "e"));
        var n = batch.ActionMask.shape[1];
        var experience = new Experience(batch, torch.zeros([4, n]), torch.tensor(new float[] { 1, -1, 1, -1 }).unsqueeze(1).expand(4, n), null,
            torch.zeros([4, n]), torch.zeros([4]), 0, 2);
        learner.Tell(new TrainPolicy(11, experience));
        var updated = ExpectBatch<PolicyUpdated>(11, Slow);
        Assert.Equal(1, updated.Version);
        Assert.Equal(11, updated.Metrics["batch_id"]);
        Assert.Contains(before, kv => updated.Weights.State[kv.Key].sub(kv.Value).abs().max().ToDouble() > 0);
    }

    [Fact]
    public void Dpo_learner_with_a_probe_as_its_reference_must_start_at_a_loss_of_ln_2()
    {
        var reference = CreateRoleProbe("reference");
        var sft = Tiny.Policy();
        var progress = new RecordingProgress();
        var pairs = new[] { ("a", "good", "bad"), ("b", "good c", "d") }
            .Select(p => new TokenPreference(Tiny.Template.EncodePrompt(Tiny.Tokenizer, p.Item1), [.. Tiny.Tokenizer.Encode(p.Item2), Tiny.Tokenizer.EosId],
                [.. Tiny.Tokenizer.Encode(p.Item3), Tiny.Tokenizer.EosId])).ToList();
        var dpo = Sys.ActorOf(DpoLearner.Props(Tiny.Policy(), reference.Ref, pairs, (Tiny.Settings.Dpo with { Steps = 1, BatchSize = 2, Loss = Models.Losses.DpoLossType.Sigmoid }),
            Tiny.Tokenizer.PadId, progress, 1));
        dpo.Tell(new RunStage(1, 1));
        for (var i = 0; i < 2; i++)                                                    // chosen, then rejected
        {
            var ask = reference.ExpectBatch<ScoreReference>(timeout: Slow);
            using var noGrad = torch.no_grad();
            reference.Reply(new ReferenceLogProbs(ask.BatchId, Scoring.ResponseLogProbs(sft, ask.Batch)));
        }
        ExpectMsg<StageFinished>(Slow);
        Assert.Equal(Math.Log(2), progress.Steps[0].Metrics["loss"], 4);              // pi = pi_ref: -log sigmoid(0)
    }

    [Fact]
    public void A_supervised_scorer_that_throws_must_answer_the_failure_be_restarted_and_serve_the_next_batch()
    {
        var (calls, instances) = (new CallCounter(), new CallCounter());
        var fatal = new TaskCompletionSource<Exception>();
        var scorer = Sys.ActorOf(RoleSupervisor.Props(CountingScorer.Props(calls, failures: 1, instances), "reward",
            new RoleRestarts(TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(1), 3, TimeSpan.FromMinutes(1)), e => fatal.TrySetResult(e)));
        var batch = Tiny.Batch(("a", "good good"));
        scorer.Tell(new ScoreRewards(1, batch));
        Assert.Contains("injected", ExpectMsg<Status.Failure>().Cause.Message);      // the asker hears of the failure at once
        scorer.Tell(new ScoreRewards(2, batch));                                      // the restarted instance serves it
        Assert.Equal([2f], ExpectBatch<RewardScores>(2).Scores.data<float>().ToArray());
        Assert.Equal(2, instances.Count);
        Assert.False(fatal.Task.IsCompleted);
    }

    [Fact]
    public async Task A_role_that_keeps_failing_must_be_reported_as_fatal_after_its_restart_limit()
    {
        var fatal = new TaskCompletionSource<Exception>();
        var scorer = Sys.ActorOf(RoleSupervisor.Props(CountingScorer.Props(new CallCounter(), failures: 100), "reward",
            new RoleRestarts(TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(1), 2, TimeSpan.FromMinutes(1)), e => fatal.TrySetResult(e)));
        for (var i = 1; i <= 3; i++) scorer.Tell(new ScoreRewards(i, Tiny.Batch(("a", "good"))));
        var cause = await fatal.Task.WaitAsync(Slow);
        Assert.Contains("role reward failed more than 2 times within 60 s", cause.Message);
        Assert.Contains("injected", cause.Message);
    }

    [Fact]
    public async Task A_role_that_cannot_be_created_must_be_reported_as_fatal_at_once()
    {
        var fatal = new TaskCompletionSource<Exception>();
        Sys.ActorOf(RoleSupervisor.Props(Akka.Actor.Props.Create(() => new Unbuildable()), "critic",
            new RoleRestarts(TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(1), 3, TimeSpan.FromMinutes(1)), e => fatal.TrySetResult(e)));
        var cause = await fatal.Task.WaitAsync(Slow);
        Assert.Contains("role critic could not be created: no GPU here", cause.Message);
    }

    private sealed class Unbuildable : ReceiveActor
    {
        public Unbuildable() => throw new InvalidOperationException("no GPU here");
    }
}
