using AkkaRlhf.Actors.Messages;
using AkkaRlhf.Actors.Roles;
using TorchSharp;
using static TorchSharp.torch;
using Xunit.Abstractions;

namespace AkkaRlhf.Actors.Tests;

public sealed class ScorerSpecs(ITestOutputHelper output) : RlhfTestKit(output)
{
    [Fact]
    public void Reward_scorer_must_reply_one_score_per_sequence_in_order_with_the_batch_id()
    {
        var model = Tiny.Reward();
        var scorer = Sys.ActorOf(RewardScorer.Props(model, CPU));
        var rows = new[] { ("a", "good"), ("a b c", "bad bad d"), ("b", "c good good e") };
        scorer.Tell(new ScoreRewards(42, Tiny.Batch(rows)));
        var reply = ExpectMsg<RewardScores>();
        Assert.Equal(42, reply.BatchId);
        Assert.Equal([3L], reply.Scores.shape);
        using var noGrad = torch.no_grad();
        for (var i = 0; i < rows.Length; i++)
        {
            var alone = Scoring.Rewards(model, Tiny.Batch(rows[i])).ToDouble();
            Assert.Equal(alone, reply.Scores.select(0, i).ToDouble(), 4);
        }
    }

    [Fact]
    public void Reference_scorer_must_reply_per_token_log_probs_of_the_responses_only()
    {
        var scorer = Sys.ActorOf(ReferenceScorer.Props(Tiny.Policy(), CPU));
        scorer.Tell(new ScoreReference(7, Tiny.Batch(("a b", "good"), ("c", "bad d e"))));
        var reply = ExpectMsg<ReferenceLogProbs>();
        Assert.Equal(7, reply.BatchId);
        Assert.Equal([2L, 4L], reply.LogProbs.shape);                                  // longest response: 3 words + EOS
        var row0 = reply.LogProbs.select(0, 0).data<float>().ToArray();
        Assert.All(row0[..2], lp => Assert.True(lp < 0));                              // "good" and EOS
        Assert.All(row0[2..], lp => Assert.Equal(0f, lp));                             // padding
    }

    [Fact]
    public void Critic_must_reply_values_before_every_response_token()
    {
        var critic = Sys.ActorOf(Critic.Props(new Models.GptValue(Tiny.Config, new Generator(3)), Tiny.Settings.Ppo.CriticOptions, CPU, 1));
        critic.Tell(new ComputeValues(9, Tiny.Batch(("a", "good b"), ("b", "c"))));
        var reply = ExpectMsg<ValueEstimates>();
        Assert.Equal(9, reply.BatchId);
        Assert.Equal([2L, 3L], reply.Values.shape);
        Assert.Equal(0f, reply.Values.select(0, 1).select(0, 2).ToDouble(), 6);           // row 1 has 2 response tokens
    }

    [Fact]
    public void Duplicate_batch_ids_must_be_dropped_and_answered_with_the_earlier_reply()
    {
        var calls = new CallCounter();
        var scorer = Sys.ActorOf(CountingScorer.Props(calls));
        var batch = Tiny.Batch(("a", "good"));
        scorer.Tell(new ScoreRewards(5, batch));
        var first = ExpectMsg<RewardScores>();
        scorer.Tell(new ScoreRewards(5, batch));
        var second = ExpectMsg<RewardScores>();
        Assert.Same(first, second);
        Assert.Equal(1, calls.Count);
        scorer.Tell(new ScoreRewards(6, batch));
        ExpectMsg<RewardScores>(r => r.BatchId == 6);
        Assert.Equal(2, calls.Count);
    }
}

internal sealed class CallCounter
{
    private int _count;
    public int Count => Volatile.Read(ref _count);
    public int Next() => Interlocked.Increment(ref _count);
}

/// <summary>A scorer that counts its model calls and fails the first <paramref name="failures"/> of them; <c>instances</c> counts
/// its constructions (the first one, then one per restart).</summary>
internal sealed class CountingScorer : RoleActor
{
    public static Akka.Actor.Props Props(CallCounter calls, int failures = 0, CallCounter? instances = null) =>
        Akka.Actor.Props.Create(() => new CountingScorer(calls, failures, instances));

    public CountingScorer(CallCounter calls, int failures, CallCounter? instances) : base(CPU)
    {
        instances?.Next();
        ReceiveBatch<ScoreRewards>(request =>
        {
            if (calls.Next() <= failures) throw new InvalidOperationException("model call failed (injected)");
            var scores = Enumerable.Range(0, request.Batch.Count).Select(i => (float)request.Batch.Row(i).Response.Count(t => t == Tiny.Good)).ToArray();
            return new RewardScores(request.BatchId, torch.tensor(scores));
        });
    }
}
