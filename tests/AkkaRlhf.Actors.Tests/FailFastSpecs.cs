using AkkaRlhf.Actors.Messages;
using AkkaRlhf.Actors.Pipeline;
using AkkaRlhf.Actors.Roles;
using AkkaRlhf.Models;

using TorchSharp;
using static TorchSharp.torch;
using Xunit.Abstractions;

namespace AkkaRlhf.Actors.Tests;

/// <summary>
/// Failures inside a stage (an offline step, a role's constructor) must reach the caller at once with their cause,
/// never as a silent wait for the 12-hour stage timeout; and the cases that used to hang must work.
/// </summary>
public sealed class FailFastSpecs(ITestOutputHelper output) : RlhfTestKit(output)
{
    private static readonly TimeSpan Fast = TimeSpan.FromSeconds(30);

    private static int[] Response(string words) => [.. Tiny.Tokenizer.Encode(words), Tiny.Tokenizer.EosId];

    private RlhfPipeline Pipeline(RecordingProgress progress, RewardModelSettings? rm = null) =>
        new(Sys, PipelineSettings.FromConfig(PipelineSettings.Reference) with
        {
            Ppo = Tiny.Ppo(iterations: 2),
            RewardModel = rm ?? Tiny.Settings.RewardModel,
        }, progress);

    private static PipelineData Data(IReadOnlyList<TokenRanking>? rankings = null) =>
        new(Tiny.Tokenizer, Tiny.Template, [], [], [], rankings, Tiny.Prompts);

    [Fact]
    public async Task Listwise_reward_training_must_take_a_different_number_of_responses_per_prompt()
    {
        string[] answers = ["good a", "bad b", "c d", "good e"];
        var rankings = Tiny.Prompts.Take(6).Select((p, n) =>                          // K_n = 2, 3, 4, 2, 3, 4
            new TokenRanking(Tiny.Template.EncodePrompt(Tiny.Tokenizer, p), answers.Take(2 + n % 3).Select(Response).ToArray(), n % 2)).ToList();
        var model = Tiny.Reward();
        var copy = Tiny.Reward();                                                     // the same initial weights
        var progress = new RecordingProgress();
        var heldOut = rankings.Select(r => new TokenPreference(r.Prompt, r.Responses[r.Best], r.Responses[1 - r.Best])).ToList();
        var trainer = Sys.ActorOf(RewardModelTrainer.Props(model, [], rankings, heldOut,
            (Tiny.Settings.RewardModel with { Steps = 3, BatchSize = rankings.Count, Listwise = true }), Tiny.Tokenizer.PadId, progress, 1));
        await trainer.Ask<StageFinished>(new RunStage(1, 3), Fast);

        double expected;                                                              // one row at a time: logsumexp_i R_i - R_best
        using (torch.no_grad())
            expected = rankings.Average(r =>
            {
                var scores = Scoring.Rewards(copy, TokenizedData.Batch(Enumerable.Repeat(r.Prompt, r.Responses.Length).ToList(), r.Responses, Tiny.Tokenizer.PadId));
                return scores.logsumexp(0).ToDouble() - scores[r.Best].ToDouble();
            });
        Assert.Equal(3, progress.Steps.Count);
        Assert.Equal(expected, progress.Steps[0].Metrics["loss"], 4);
        Assert.InRange(progress.Steps[0].Metrics["accuracy"], 0, 1);
    }

    [Fact]
    public async Task Ppo_with_the_rule_based_reward_must_build_a_critic_from_the_sft_trunk_and_train_it()
    {
        var sft = Tiny.Policy();
        var critic = PpoModels.Create(sft, null, Tiny.Tokenizer, Tiny.Ppo(iterations: 1)).Critic;
        Assert.NotNull(critic);
        var trunk = sft.state_dict().Where(kv => kv.Key.StartsWith("transformer.", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(trunk);
        foreach (var (name, t) in trunk) Assert.True(critic.state_dict()[name].sub(t).abs().max().ToDouble() == 0, name);

        var progress = new RecordingProgress();
        var (_, summary) = await Pipeline(progress).Ppo(Data(), sft, reward: null).WaitAsync(TimeSpan.FromSeconds(60));
        var steps = progress.Steps.Where(s => s.Stage == "ppo").ToList();
        Assert.Equal(2, steps.Count);
        Assert.All(steps, s => Assert.True(double.IsFinite(s.Metrics["value_loss"])));
        Assert.Equal(2, summary["policy_version"]);
    }

    [Fact]
    public async Task A_positive_word_outside_the_vocabulary_must_fail_the_run_at_once_naming_key_and_word()
    {
        var ppo = Tiny.Ppo(iterations: 2, learner: "grpo");
        ppo = ppo.WithReward(Tiny.Role("rule-based", "positive-words = [good, great]"));
        var pipeline = new RlhfPipeline(Sys, PipelineSettings.FromConfig(PipelineSettings.Reference) with { Ppo = ppo }, new RecordingProgress());
        var e = await Assert.ThrowsAnyAsync<Exception>(() => pipeline.Ppo(Data(), Tiny.Policy(), reward: null).WaitAsync(Fast));
        Assert.IsNotType<TimeoutException>(e);
        var message = e.ToString();
        Assert.Contains("akka-rlhf.ppo.reward.positive-words", message);
        Assert.Contains("\"great\"", message);
        Assert.Contains("not in the tokenizer's vocabulary", message);
    }

    [Fact]
    public async Task A_stage_actor_that_fails_in_its_constructor_or_a_step_must_fail_the_caller_at_once_with_the_cause()
    {
        var pipeline = Pipeline(new RecordingProgress(), (Tiny.Settings.RewardModel with { Steps = 2, BatchSize = 2, Listwise = true }));
        var e = await Assert.ThrowsAnyAsync<Exception>(() => pipeline.RewardModel(Data(rankings: null), Tiny.Policy()).WaitAsync(Fast));
        Assert.Contains("listwise reward training needs ranking data", e.ToString());       // the constructor's exception

        var bad = new TokenRanking(Tiny.Template.EncodePrompt(Tiny.Tokenizer, "a"), [Response("good"), Response("bad")], 5);   // best out of range
        var trainer = Sys.ActorOf(RewardModelTrainer.Props(Tiny.Reward(), [], [bad], [],
            (Tiny.Settings.RewardModel with { Steps = 2, BatchSize = 1, Listwise = true }), Tiny.Tokenizer.PadId, new RecordingProgress(), 1));
        var step = await Assert.ThrowsAnyAsync<Exception>(() => trainer.Ask<StageFinished>(new RunStage(1, 2), Fast));
        Assert.IsNotType<AskTimeoutException>(step);                                 // a step's exception, at once
    }

    [Fact]
    public async Task A_ppo_role_whose_constructor_throws_must_fail_the_run_at_once_with_the_cause()
    {
        var registry = RoleRegistry.Default.Register("broken", _ => Akka.Actor.Props.Create(() => new BrokenScorer()));
        var prompts = Sys.ActorOf(PromptSource.Props(Tiny.Prompts, Tiny.Tokenizer, Tiny.Template, 1));
        var run = Sys.ActorOf(StageHost.Props(Trainer.Props(Tiny.Ppo(iterations: 2, reward: "broken"), Tiny.Models(Tiny.Policy()), prompts,
            new RecordingProgress(), registry), "trainer"));
        var e = await Assert.ThrowsAnyAsync<Exception>(() => run.Ask<StageFinished>(new RunStage(1, 2), Fast));
        Assert.Contains("no scorer today", e.ToString());
    }

    private sealed class BrokenScorer : RoleActor
    {
        public BrokenScorer() : base(CPU) => throw new InvalidOperationException("no scorer today");
    }

    [Fact]
    public async Task A_stage_failure_must_end_its_pending_and_later_asks_at_once_with_the_cause()
    {
        var reward = CreateRoleProbe("reward");                                       // asked, never answers
        var failure = new StageFailure();
        var retries = 0;
        var pending = reward.Ref.AskWithRetry<RewardScores>(new ScoreRewards(3, Tiny.Batch(("a", "good"))), attempts: 3,
            timeout: TimeSpan.FromMinutes(10), onRetry: (_, _) => retries++, fatal: failure);
        reward.ExpectBatch<ScoreRewards>(3);
        Assert.False(pending.IsCompleted);

        var cause = new InvalidOperationException("role reward failed more than 10 times within 60 s");
        failure.Fail(cause);
        failure.Fail(new InvalidOperationException("a later cause"));                // ignored: the first counts
        var error = await Assert.ThrowsAsync<RoleFailedException>(() => pending.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Same(cause, error.InnerException);
        Assert.Equal(0, retries);                                                     // a stage failure is not retried
        reward.ExpectNoBatch();                                                       // not asked again

        var later = await Assert.ThrowsAsync<RoleFailedException>(() => reward.Ref.AskOrFail<RewardScores>(
            new ScoreRewards(4, Tiny.Batch(("a", "good"))), TimeSpan.FromMinutes(10), failure));
        Assert.Same(cause, later.InnerException);
        reward.ExpectNoBatch();                                                       // nothing sent
    }

    [Fact]
    public async Task A_stage_failure_must_end_an_ask_waiting_out_its_backoff_at_once()
    {
        var reward = CreateRoleProbe("reward");
        var failure = new StageFailure();
        var pending = reward.Ref.AskWithRetry<RewardScores>(new ScoreRewards(5, Tiny.Batch(("a", "good"))), attempts: 3,
            timeout: TimeSpan.FromMinutes(10), fatal: failure, backoff: _ => TimeSpan.FromMinutes(10));
        reward.ExpectBatch<ScoreRewards>(5);
        reward.Fail(new InvalidOperationException("out of memory"));                   // attempt 1 fails: a 10-minute backoff begins
        await Task.Delay(200);
        Assert.False(pending.IsCompleted);

        var cause = new InvalidOperationException("role reward failed more than 10 times within 60 s");
        failure.Fail(cause);
        var error = await Assert.ThrowsAsync<RoleFailedException>(() => pending.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Same(cause, error.InnerException);
        reward.ExpectNoBatch();
    }
}
