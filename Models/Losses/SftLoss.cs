using TorchSharp;
using static TorchSharp.torch;

namespace AkkaRlhf.Models.Losses;

/// <summary>Stage 1, supervised fine-tuning (seeds 000 and 002).</summary>
public static class SftLoss
{
    /// <summary>
    /// Per-sequence negative log-likelihood <c>L_SFT(i) = - sum_t m_t log pi_theta(y_t | x, y_&lt;t)</c>
    /// over response tokens only (prompt and padding masked): (B, T) -> (B).
    /// </summary>
    public static Tensor SequenceNll(Tensor tokenLogProbs, Tensor mask)
    {
        using var scope = torch.NewDisposeScope();
        return (-Masked.Sum(tokenLogProbs, mask, dim: 1)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The reported SFT loss, the mean per response token over the whole batch:
    /// <c>L = - sum_{i,t} m_it log pi(y_it|.) / sum_{i,t} m_it</c>.
    /// </summary>
    public static Tensor TokenMeanNll(Tensor tokenLogProbs, Tensor mask)
    {
        using var scope = torch.NewDisposeScope();
        return (-Masked.Mean(tokenLogProbs, mask)).MoveToOuterDisposeScope();
    }

    /// <summary><see cref="TokenMeanNll"/> of <see cref="LogProbs.Of"/>: logits (B, T, V), targets (B, T), mask (B, T).</summary>
    public static Tensor FromLogits(Tensor logits, Tensor targets, Tensor mask)
    {
        using var scope = torch.NewDisposeScope();
        return TokenMeanNll(LogProbs.Of(logits, targets), mask).MoveToOuterDisposeScope();
    }
}
