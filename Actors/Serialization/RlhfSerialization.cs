using AkkaRlhf.Actors.Messages;
using AkkaRlhf.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace AkkaRlhf.Actors.Serialization;

/// <summary>
/// The allow-list of the RLHF messages (stable manifests, never CLR names on the wire) and the tensor
/// payload serializer. Call <see cref="Register"/> once per system, before the first message is serialized.
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
    ];

    /// <summary>Allow-lists every message of <see cref="Messages"/> and registers the tensor payload serializer (idempotent per system).</summary>
    public static ActorSystem Register(ActorSystem system)
    {
        var s = system.Serialization;
        if (s.IsRegistered(typeof(RequestPrompts))) return system;
        s.RegisterPayload(TensorPayloadSerializer.Instance);
        foreach (var (type, manifest) in Messages) s.Register(type, manifest);
        return system;
    }
}
