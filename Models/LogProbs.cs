using TorchSharp;
using static TorchSharp.torch;

namespace AkkaRlhf.Models;

/// <summary>Per-token log-probabilities of given tokens under logits: log pi(y_t | x, y_&lt;t).</summary>
public static class LogProbs
{
    /// <summary>
    /// logits (*, V), tokens (*) int64 -> (*): <c>log_softmax(logits)[token]</c>, computed as
    /// <c>logits[token] - logsumexp(logits)</c> (no (*, V) log-softmax is materialised). The caller
    /// aligns them: <c>logits[..., t, :]</c> must be the prediction of <c>tokens[..., t]</c>.
    /// </summary>
    public static Tensor Of(Tensor logits, Tensor tokens)
    {
        using var scope = torch.NewDisposeScope();
        var picked = logits.gather(-1, tokens.unsqueeze(-1)).squeeze(-1);            // (*)
        return (picked - logits.logsumexp(-1)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Causal LM alignment: logits (B, T, V) of a forward pass over input_ids (B, T) -> (B, T - 1),
    /// entry t being log pi(input_ids[t + 1] | input_ids[..t]). The first token has no log-prob.
    /// </summary>
    public static Tensor Shifted(Tensor logits, Tensor input_ids)
    {
        var T = input_ids.size(1);
        using var scope = torch.NewDisposeScope();
        return Of(logits.narrow(1, 0, T - 1), input_ids.narrow(1, 1, T - 1)).MoveToOuterDisposeScope();
    }

    /// <summary>Sequence log-prob <c>log pi(y|x) = sum_t m_t log pi(y_t|.)</c>: logprobs (B, T), response mask (B, T) of 1/0 or bool -> (B).</summary>
    public static Tensor SequenceSum(Tensor logprobs, Tensor mask) => Losses.Masked.Sum(logprobs, mask, dim: 1);
}
