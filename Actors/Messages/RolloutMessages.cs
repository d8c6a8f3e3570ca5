using TorchSharp;
using static TorchSharp.torch;

namespace AkkaRlhf.Actors.Messages;

/// <summary>
/// Asks a <c>RolloutGenerator</c> to answer each prompt <paramref name="SamplesPerPrompt"/> times
/// with the newest policy it holds. <paramref name="Part"/> tells apart the slices of one batch
/// sent to different generators (each slice samples from its own seed). A generator that holds a policy older than
/// <paramref name="MinPolicyVersion"/> keeps the request until those weights arrive (across a cluster, weights and
/// work travel on different queues).
/// </summary>
public sealed record GenerateRollouts(long BatchId, int Part, IReadOnlyList<int[]> Prompts, int SamplesPerPrompt = 1,
    long MinPolicyVersion = 0) : IBatchMessage;

/// <summary>
/// Generated sequences, the sampled tokens' log-probs under the generating policy, (B, N) float32,
/// and the policy version that produced them. Rows come prompt by prompt, the samples of a prompt together.
/// </summary>
public sealed record RolloutBatch(long BatchId, int Part, SequenceBatch Batch, Tensor LogProbs, long PolicyVersion) : IBatchMessage;

/// <summary>
/// A versioned snapshot of the policy's weights (CPU tensors), published by the learner after each update. A generator
/// ignores a version older than the one it holds, unless <paramref name="Rewind"/>: a coordinator that resumed from a
/// checkpoint takes its generators back to that version (and they forget the replies they gave since).
/// </summary>
public sealed record PolicyWeights(long Version, IReadOnlyDictionary<string, Tensor> State, bool Rewind = false);
