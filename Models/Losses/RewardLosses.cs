using TorchSharp;
using static TorchSharp.torch;
using static AkkaRlhf.Models.Scalars;
using F = TorchSharp.torch.nn.functional;

namespace AkkaRlhf.Models.Losses;

/// <summary>Stage 2, reward-model training losses and metric (seeds 002 and 004).</summary>
public static class RewardLosses
{
    /// <summary>
    /// Pairwise Bradley-Terry loss (seed 002), P(y_w &gt; y_l | x) = sigma(r_w - r_l):
    /// <c>L_RM = mean_i -log sigma(r_w,i - r_l,i - margin)</c>, computed as <c>-logsigmoid</c>.
    /// chosen and rejected are (N) scores; the margin (default 0) is a constant.
    /// </summary>
    public static Tensor BradleyTerry(Tensor chosen, Tensor rejected, double margin = 0)
    {
        using var scope = torch.NewDisposeScope();
        using var m = margin.ToScalar();
        return (-F.logsigmoid(chosen - rejected - m)).mean().MoveToOuterDisposeScope();
    }

    /// <summary>Bradley-Terry with a per-pair margin (N), as OpenRLHF's PairWiseLoss: <c>mean -log sigma(r_w - r_l - margin_i)</c>.</summary>
    public static Tensor BradleyTerry(Tensor chosen, Tensor rejected, Tensor margin)
    {
        using var scope = torch.NewDisposeScope();
        return (-F.logsigmoid(chosen - rejected - margin)).mean().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Listwise loss over K candidates (seed 004): P(y_i | x) = softmax_i(R(x, y_i)),
    /// <c>L = mean_n -log softmax(R_n)[b_n] = mean_n (logsumexp_i R_n,i - R_n,b_n)</c>.
    /// scores (N, K), best (N) int64 index of the labelled best. An optional (N, K) candidate mask
    /// allows K_n &lt; K (invalid candidates get probability 0). For K = 2 it equals Bradley-Terry.
    /// </summary>
    public static Tensor Listwise(Tensor scores, Tensor best, Tensor? candidateMask = null)
    {
        using var scope = torch.NewDisposeScope();
        var s = candidateMask is null ? scores : scores.masked_fill(Masked.Valid(candidateMask).logical_not(), NegativeInfinity);
        var logp = s.log_softmax(-1).gather(-1, best.unsqueeze(-1)).squeeze(-1);
        return (-logp).mean().MoveToOuterDisposeScope();
    }

    /// <summary>Pairwise accuracy <c>mean(r_w &gt; r_l)</c>, strict (ties count as wrong).</summary>
    public static double PairwiseAccuracy(Tensor chosen, Tensor rejected)
    {
        using var scope = torch.NewDisposeScope();
        return chosen.gt(rejected).to(ScalarType.Float64).mean().item<double>();
    }
}
