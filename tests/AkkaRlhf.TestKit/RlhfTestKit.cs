using Akka.Configuration;
using AkkaRlhf.Actors;
using Xunit.Abstractions;

namespace AkkaRlhf.TestKit;

/// <summary>
/// The base of a message-level spec of RLHF roles and pipelines: Akka.TestKit.Xunit2's <c>TestKit</c> (TestProbe,
/// ExpectMsg, Watch/ExpectTerminated, EventFilter, Within, AwaitAssert) on an actor system that carries the RLHF
/// serializer, plus <see cref="RoleProbe"/>s that stand in for any role. With <paramref name="serializeMessages"/> every
/// message makes a round trip through its serializer, as it would between nodes: an RLHF message that does not survive the
/// RLHF serializer (a tensor of an unknown dtype, a field it cannot write) fails at the send.
/// <code>
/// public sealed class MyScorerSpecs(ITestOutputHelper output) : RlhfTestKit(output)
/// {
///     [Fact]
///     public void Scores_each_sequence()
///     {
///         var scorer = Sys.ActorOf(MyScorer.Props(Tiny.Reward(), CPU));
///         scorer.Tell(new ScoreRewards(1, Tiny.Batch(("a", "good"), ("b", "bad"))));
///         Assert.Equal([2L], ExpectBatch&lt;RewardScores&gt;(1).Scores.shape);
///     }
/// }
/// </code>
/// </summary>
public abstract class RlhfTestKit(ITestOutputHelper? output = null, string? config = null, bool serializeMessages = false)
    : Akka.TestKit.Xunit2.TestKit(Settings(config, serializeMessages), output: output)
{
    /// <summary>A probe that stands in for a role: receive its requests with <see cref="RoleProbe.ExpectBatch{T}"/>, answer with <see cref="RoleProbe.Reply"/>.</summary>
    public RoleProbe CreateRoleProbe(string? name = null) => new(CreateTestProbe(name));

    /// <summary>Expects the next message of the test actor to be a <typeparamref name="T"/> batch with <paramref name="batchId"/> (any when null).</summary>
    public T ExpectBatch<T>(long? batchId = null, TimeSpan? timeout = null) where T : Actors.Messages.IBatchMessage =>
        RoleProbe.Check(ExpectMsg<T>(timeout), batchId);

    private static Config Settings(string? config, bool serializeMessages) =>
        ConfigurationFactory.ParseString(config ?? "")
            .WithFallback($"akka.actor.serialize-messages = {(serializeMessages ? "on" : "off")}")
            .WithFallback(RlhfActors.AkkaConfig);
}
