using TorchSharp;
using static TorchSharp.torch;

namespace AkkaRlhf.Actors.Messages;

/// <summary>Asks the <c>RewardScorer</c> for one score per sequence.</summary>
public sealed record ScoreRewards(long BatchId, SequenceBatch Batch) : IBatchMessage;

/// <summary>One reward per sequence, (B) float32, in the order of the request.</summary>
public sealed record RewardScores(long BatchId, Tensor Scores) : IBatchMessage;

/// <summary>Asks the <c>ReferenceScorer</c> for the per-token log-probs of the responses under pi_ref.</summary>
public sealed record ScoreReference(long BatchId, SequenceBatch Batch) : IBatchMessage;

/// <summary>log pi_ref(y_t | x, y_&lt;t) of every response token, (B, N) float32 (0 where masked).</summary>
public sealed record ReferenceLogProbs(long BatchId, Tensor LogProbs) : IBatchMessage;

/// <summary>Asks the <c>Critic</c> for V(s_t) before every response token.</summary>
public sealed record ComputeValues(long BatchId, SequenceBatch Batch) : IBatchMessage;

/// <summary>Values, (B, N) float32 (0 where masked).</summary>
public sealed record ValueEstimates(long BatchId, Tensor Values) : IBatchMessage;
