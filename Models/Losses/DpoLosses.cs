using TorchSharp;
using static TorchSharp.torch;
using static AkkaRlhf.Models.Scalars;
using F = TorchSharp.torch.nn.functional;

namespace AkkaRlhf.Models.Losses;

/// <summary>Which DPO-family loss to apply to the preference log-ratios.</summary>
public enum DpoLossType
{
    /// <summary>-log sigma(z); with label smoothing eps &gt; 0 it is cDPO.</summary>
    Sigmoid,
    /// <summary>(h - 1/(2 beta))^2.</summary>
    Ipo,
}

/// <summary>
/// Result of a DPO batch: the loss (mean over pairs, with autograd), the implicit rewards
/// r_hat = beta log(pi/pi_ref) of chosen and rejected (N, detached), the strict reward accuracy
/// mean(r_hat_w &gt; r_hat_l) and the mean margin mean(r_hat_w - r_hat_l).
/// </summary>
public sealed record DpoResult(Tensor Loss, Tensor ChosenRewards, Tensor RejectedRewards, double Accuracy, double Margin);

/// <summary>
/// Offline DPO (seeds 000, 002; rlhf-math.md). Inputs are sequence log-probs (N), sums over response
/// tokens (<see cref="LogProbs.SequenceSum"/>); reference log-probs may be precomputed once.
/// </summary>
public static class DpoLosses
{
    /// <summary>Unscaled log-ratio difference <c>h = (log pi(y_w) - log pi_ref(y_w)) - (log pi(y_l) - log pi_ref(y_l))</c>; z = beta h.</summary>
    public static Tensor LogRatioDifference(Tensor policyChosen, Tensor policyRejected, Tensor refChosen, Tensor refRejected)
    {
        using var scope = torch.NewDisposeScope();
        return ((policyChosen - refChosen.detach()) - (policyRejected - refRejected.detach())).MoveToOuterDisposeScope();
    }

    /// <summary>Sigmoid DPO per pair, <c>L = -log sigma(z)</c>, computed as <c>-logsigmoid(z)</c>.</summary>
    public static Tensor Sigmoid(Tensor z)
    {
        using var scope = torch.NewDisposeScope();
        return (-F.logsigmoid(z)).MoveToOuterDisposeScope();
    }

    /// <summary>cDPO (label smoothing eps) per pair, <c>L = -(1 - eps) log sigma(z) - eps log sigma(-z)</c>.</summary>
    public static Tensor Conservative(Tensor z, double labelSmoothing)
    {
        if (!(labelSmoothing >= 0 && labelSmoothing <= 0.5))
            throw new ArgumentOutOfRangeException(nameof(labelSmoothing), labelSmoothing, "label smoothing must be in [0, 0.5]");
        using var scope = torch.NewDisposeScope();
        using var kept = (-(1 - labelSmoothing)).ToScalar();
        using var flipped = labelSmoothing.ToScalar();
        return (F.logsigmoid(z).mul(kept) - F.logsigmoid(-z).mul(flipped)).MoveToOuterDisposeScope();   // -(1 - e) logsig(z) - e logsig(-z)
    }

    /// <summary>IPO per pair, <c>L = (h - 1/(2 beta))^2</c> with h the unscaled log-ratio difference.</summary>
    public static Tensor Ipo(Tensor h, double beta)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(beta);
        using var scope = torch.NewDisposeScope();
        using var target = (1 / (2 * beta)).ToScalar();
        return (h - target).pow(Two).MoveToOuterDisposeScope();                      // (h - 1 / 2 beta)^2
    }

    /// <summary>Implicit reward <c>r_hat = beta (log pi(y|x) - log pi_ref(y|x))</c>, detached (N).</summary>
    public static Tensor ImplicitReward(Tensor policyLogProbs, Tensor refLogProbs, double beta)
    {
        using var scope = torch.NewDisposeScope();
        using var b = beta.ToScalar();
        return (policyLogProbs.detach() - refLogProbs.detach()).mul(b).MoveToOuterDisposeScope();
    }

    /// <summary>Reward accuracy <c>mean(r_hat_w &gt; r_hat_l)</c>, strict: ties (e.g. pi = pi_ref) count as wrong.</summary>
    public static double RewardAccuracy(Tensor chosenRewards, Tensor rejectedRewards) => RewardLosses.PairwiseAccuracy(chosenRewards, rejectedRewards);

    /// <summary>
    /// The DPO loss of a batch (mean over pairs) with its metrics:
    /// <code>
    /// h = (pi_w - ref_w) - (pi_l - ref_l) ;  z = beta h
    /// Sigmoid: -log sigma(z)  (eps = 0) ;  cDPO: -(1 - eps) log sigma(z) - eps log sigma(-z)
    /// Ipo:     (h - 1/(2 beta))^2
    /// </code>
    /// At pi = pi_ref the loss is ln 2 (sigmoid, cDPO for any eps) or 1/(4 beta^2) (IPO), accuracy 0.
    /// beta must be &gt; 0 (beta = 0 is the "stuck at 0.6931" failure).
    /// </summary>
    public static DpoResult Loss(Tensor policyChosen, Tensor policyRejected, Tensor refChosen, Tensor refRejected,
        double beta, DpoLossType type = DpoLossType.Sigmoid, double labelSmoothing = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(beta);
        using var scope = torch.NewDisposeScope();
        var h = LogRatioDifference(policyChosen, policyRejected, refChosen, refRejected);
        using var b = beta.ToScalar();
        var perPair = type switch
        {
            DpoLossType.Sigmoid => labelSmoothing == 0 ? Sigmoid(h.mul(b)) : Conservative(h.mul(b), labelSmoothing),
            DpoLossType.Ipo => Ipo(h, beta),
            _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unknown DPO loss type"),
        };
        var chosen = ImplicitReward(policyChosen, refChosen, beta);
        var rejected = ImplicitReward(policyRejected, refRejected, beta);
        var accuracy = RewardAccuracy(chosen, rejected);
        var margin = (chosen - rejected).to(ScalarType.Float64).mean().item<double>();
        return new DpoResult(perPair.mean().MoveToOuterDisposeScope(), chosen.MoveToOuterDisposeScope(),
            rejected.MoveToOuterDisposeScope(), accuracy, margin);
    }
}
