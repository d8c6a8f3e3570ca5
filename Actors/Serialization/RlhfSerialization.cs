using AkkaRlhf.Actors.Messages;
using Akka.Configuration;

namespace AkkaRlhf.Actors.Serialization;

/// <summary>
/// The allow-list of the RLHF messages (stable manifests, never CLR names on the wire) and the tensor
/// payload codec (<see cref="TensorCodec"/>), served to Akka by <see cref="RlhfSerializer"/>.
/// </summary>
public static class RlhfSerialization
{
    /// <summary>Every message type with its manifest.</summary>
    public static IReadOnlyList<(Type Type, string Manifest)> Messages { get; } =
    [
        (typeof(RequestPrompts), "rlhf.request-prompts"),
        (typeof(PromptBatch), "rlhf.prompt-batch"),
        (typeof(GenerateRollouts), "rlhf.generate-rollouts"),
        (typeof(RolloutBatch), "rlhf.rollout-batch"),
        (typeof(PolicyWeights), "rlhf.policy-weights"),
        (typeof(ScoreRewards), "rlhf.score-rewards"),
        (typeof(RewardScores), "rlhf.reward-scores"),
        (typeof(ScoreReference), "rlhf.score-reference"),
        (typeof(ReferenceLogProbs), "rlhf.reference-logprobs"),
        (typeof(ComputeValues), "rlhf.compute-values"),
        (typeof(ValueEstimates), "rlhf.value-estimates"),
        (typeof(TrainPolicy), "rlhf.train-policy"),
        (typeof(PolicyUpdated), "rlhf.policy-updated"),
        (typeof(GetLearnerSpec), "rlhf.get-learner-spec"),
        (typeof(LearnerSpec), "rlhf.learner-spec"),
        (typeof(TrainCritic), "rlhf.train-critic"),
        (typeof(CriticUpdated), "rlhf.critic-updated"),
        (typeof(SaveRoleState), "rlhf.save-role-state"),
        (typeof(RoleStateSaved), "rlhf.role-state-saved"),
        (typeof(RestoreRoleState), "rlhf.restore-role-state"),
        (typeof(RoleStateRestored), "rlhf.role-state-restored"),
        (typeof(RunStage), "rlhf.run-stage"),
        (typeof(StageStep), "rlhf.stage-step"),
        (typeof(StageFinished), "rlhf.stage-finished"),
        (typeof(WorkFailed), "rlhf.work-failed"),
        (typeof(Served), "rlhf.served"),
        (typeof(PolicyWeightsRef), "rlhf.policy-weights-ref"),
        (typeof(WeightsOffer), "rlhf.weights-offer"),
        (typeof(GetWeightsChunk), "rlhf.get-weights-chunk"),
        (typeof(WeightsChunk), "rlhf.weights-chunk"),
        (typeof(WorkAccounting), "rlhf.work-accounting"),
        (typeof(GetWorkAccounting), "rlhf.get-work-accounting"),
        (typeof(FollowRun), "rlhf.follow-run"),
        (typeof(RunFollowed), "rlhf.run-followed"),
        (typeof(RunBegan), "rlhf.run-began"),
        (typeof(RunStepped), "rlhf.run-stepped"),
        (typeof(RunEnded), "rlhf.run-ended"),
    ];

    /// <summary>
    /// The Akka configuration that binds <see cref="RlhfSerializer"/> to every type of <see cref="Messages"/>. Part of
    /// <see cref="RlhfActors.AkkaConfig"/>. (Locally Akka passes references, not bytes; across nodes the cluster configuration
    /// must also refuse types outside the allow-list instead of letting Akka's default JSON serializer, which reads type
    /// names from the wire, take them.)
    /// </summary>
    public static Config AkkaConfig { get; } = ConfigurationFactory.ParseString(
        $$"""
        akka.actor.serializers.rlhf = "{{typeof(RlhfSerializer).AssemblyQualifiedNameShort()}}"
        akka.actor.serialization-bindings {
        {{string.Join("\n", Messages.Select(m => $"  \"{m.Type.AssemblyQualifiedNameShort()}\" = rlhf"))}}
        }
        """);

    private static string AssemblyQualifiedNameShort(this Type type) => $"{type.FullName}, {type.Assembly.GetName().Name}";
}
