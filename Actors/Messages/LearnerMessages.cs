using TorchSharp;
using static TorchSharp.torch;

namespace AkkaRlhf.Actors.Messages;

/// <summary>
/// What the learner trains on, all (B, N) response-aligned except <paramref name="Scores"/> (B):
/// the sequences, the generators' log-probs, the advantages and returns (null for critic-free
/// learners, which derive their own), the reference log-probs and the policy version that sampled them.
/// </summary>
public sealed record Experience(
    SequenceBatch Batch,
    Tensor OldLogProbs,
    Tensor? Advantages,
    Tensor? Returns,
    Tensor RefLogProbs,
    Tensor Scores,
    long PolicyVersion,
    int SamplesPerPrompt = 1);

/// <summary>Asks the learner for one update on <paramref name="Experience"/>.</summary>
public sealed record TrainPolicy(long BatchId, Experience Experience) : IBatchMessage;

/// <summary>The learner updated the policy to <paramref name="Version"/>; <paramref name="Weights"/> are the new weights.</summary>
public sealed record PolicyUpdated(long BatchId, long Version, PolicyWeights Weights, IReadOnlyDictionary<string, double> Metrics) : IBatchMessage;

/// <summary>Asks a learner what its experience needs.</summary>
public sealed record GetLearnerSpec
{
    public static GetLearnerSpec Instance { get; } = new();
}

/// <summary>A learner's needs: values and GAE from a critic, and how many samples per prompt (groups).</summary>
public sealed record LearnerSpec(bool UsesCritic, int SamplesPerPrompt);

/// <summary>Asks the <c>Critic</c> to regress its values on <paramref name="Returns"/> (clipped around <paramref name="OldValues"/>).</summary>
public sealed record TrainCritic(long BatchId, SequenceBatch Batch, Tensor Returns, Tensor OldValues) : IBatchMessage;

/// <summary>The critic updated.</summary>
public sealed record CriticUpdated(long BatchId, IReadOnlyDictionary<string, double> Metrics) : IBatchMessage;
