using TorchSharp;
using static TorchSharp.torch;
using static AkkaRlhf.Models.Scalars;

namespace AkkaRlhf.Models.Losses;

/// <summary>
/// The PPO-clip policy loss (a scalar tensor with autograd) and, for reporting, the fraction of valid
/// tokens where the clipped term was active and approx KL(pi_old || pi_theta) (k3, token mean).
/// </summary>
public sealed record PolicyLossResult(Tensor Loss, double ClipFraction, double ApproxKl);

/// <summary>
/// The PPO-penalty policy loss of seed 004, <c>Loss = Surrogate + beta * KlOldNew</c>, with both parts
/// (scalar tensors with autograd) and the clip fraction of the surrogate.
/// </summary>
public sealed record PenaltyLossResult(Tensor Loss, Tensor Surrogate, Tensor KlOldNew, double ClipFraction);

/// <summary>PPO losses and diagnostics (rlhf-math.md, stage 3; seeds 002, 003, 004).</summary>
public static class PpoLosses
{
    public const double DefaultClipEps = 0.2;

    /// <summary>The usual dual-clip bound c when dual-clip is turned on (Ye et al. 2020; veRL's clip_ratio_c).</summary>
    public const double DefaultDualClip = 3.0;

    public const double DefaultValueClipEps = 0.2;

    /// <summary>Bound on the log-ratio before the exponential.</summary>
    public const double LogRatioClamp = 20;

    private static readonly Scalar MinLogRatio = (-LogRatioClamp).ToScalar(), MaxLogRatio = LogRatioClamp.ToScalar();

    /// <summary>
    /// PPO-clip policy loss, token-mean over the whole batch:
    /// <code>
    /// rho = exp(clamp(log pi - log pi_old, -20, 20))
    /// L   = -min(rho A, clip(rho, 1 - eps, 1 + eps) A)
    /// dual-clip c (optional, c &gt; 1): where A &lt; 0,  L = min(L, -c A)
    /// loss = sum(m L) / sum(m)
    /// </code>
    /// logProbs (B, T) carries the graph; oldLogProbs and advantages are treated as constants.
    /// Pass <c>clipEps = +inf</c> for the unclipped surrogate <c>-rho A</c>. Clip fraction: share of
    /// valid tokens where <c>clip(rho) A &lt; rho A</c> (TRL's pg_clipfrac).
    /// </summary>
    public static PolicyLossResult PolicyLoss(Tensor logProbs, Tensor oldLogProbs, Tensor advantages, Tensor mask,
        double clipEps = DefaultClipEps, double? dualClip = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(clipEps);
        if (dualClip is { } c && !(c > 1)) throw new ArgumentOutOfRangeException(nameof(dualClip), c, "dual-clip bound must be > 1");
        using var scope = torch.NewDisposeScope();
        var a = advantages.detach();
        using var low = (1 - clipEps).ToScalar();
        using var high = (1 + clipEps).ToScalar();
        var ratio = (logProbs - oldLogProbs.detach()).clamp(MinLogRatio, MaxLogRatio).exp();
        var surr1 = ratio * a;
        var surr2 = ratio.clamp(low, high) * a;
        var loss = -torch.minimum(surr1, surr2);
        if (dualClip is { } cc)
        {
            using var bound = (-cc).ToScalar();
            loss = torch.where(a.lt(Zero), torch.minimum(loss, a.mul(bound)), loss);   // min(L, -c A) where A < 0
        }
        var total = Masked.Mean(loss, mask);
        double clipFraction, approxKl;
        using (torch.no_grad())
        {
            clipFraction = Masked.Mean(surr2.lt(surr1).to(ScalarType.Float64), mask).item<double>();
            approxKl = ApproxKl(logProbs, oldLogProbs, mask);
        }
        return new PolicyLossResult(total.MoveToOuterDisposeScope(), clipFraction, approxKl);
    }

    /// <summary>
    /// Approx KL(pi_old || pi_theta) for reporting: token-mean of k3 with d = log pi_old - log pi_theta,
    /// i.e. <c>(rho - 1) - log rho</c> (non-negative).
    /// </summary>
    public static double ApproxKl(Tensor logProbs, Tensor oldLogProbs, Tensor mask)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        return Masked.Mean(Kl.Estimate(oldLogProbs.detach(), logProbs.detach(), KlEstimator.K3, mask), mask).to(ScalarType.Float64).item<double>();
    }

    /// <summary>
    /// Clipped value loss, token-mean over the whole batch:
    /// <c>L_V = 0.5 * max((V - G)^2, (V_old + clip(V - V_old, -eps_v, eps_v) - G)^2)</c> with eps_v 0.2;
    /// <c>valueClipEps = null</c> gives the plain <c>0.5 (V - G)^2</c>. values carries the graph;
    /// oldValues and returns are constants.
    /// </summary>
    public static Tensor ValueLoss(Tensor values, Tensor oldValues, Tensor returns, Tensor mask, double? valueClipEps = DefaultValueClipEps)
    {
        using var scope = torch.NewDisposeScope();
        var g = returns.detach();
        var unclipped = (values - g).pow(Two);
        Tensor perToken = unclipped;
        if (valueClipEps is { } e)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(e);
            var vOld = oldValues.detach();
            using var low = (-e).ToScalar();
            using var high = e.ToScalar();
            var vClipped = vOld.add((values - vOld).clamp(low, high), One);
            perToken = torch.maximum(unclipped, (vClipped - g).pow(Two));
        }
        return Masked.Mean(perToken, mask).mul(OneHalf).MoveToOuterDisposeScope();
    }

    /// <summary>Per-token entropy of the policy, <c>H_t = -sum_v p_v log p_v</c> with p = softmax(logits): (B, T, V) -> (B, T). Logits must be finite.</summary>
    public static Tensor EntropyPerToken(Tensor logits)
    {
        using var scope = torch.NewDisposeScope();
        var logp = logits.log_softmax(-1);
        return (-(logp.exp() * logp).sum(-1)).MoveToOuterDisposeScope();
    }

    /// <summary>Entropy, token-mean over the valid tokens: <c>sum(m H) / sum(m)</c> (a tensor; usable as a bonus term).</summary>
    public static Tensor Entropy(Tensor logits, Tensor mask)
    {
        using var scope = torch.NewDisposeScope();
        return Masked.Mean(EntropyPerToken(logits), mask).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// PPO-penalty form of seed 004, the policy part of <c>-(L_RL - L_KL)</c>:
    /// <code>
    /// Surrogate = token-mean of -min(rho A, clip(rho, 1 - eps, 1 + eps) A)   (as PolicyLoss; eps = +inf drops the clip)
    /// KlOldNew  = token-mean of k(d), d = log pi_old - log pi_theta           (KL(pi_old || pi_theta), k3 by default, clamped to ±10)
    /// Loss      = Surrogate + beta * KlOldNew
    /// </code>
    /// This is the alternative to the KL-in-reward form (<see cref="RewardShaping.PerTokenRewards"/>),
    /// where the KL is against pi_ref and enters the rewards instead.
    /// </summary>
    public static PenaltyLossResult PenaltyPolicyLoss(Tensor logProbs, Tensor oldLogProbs, Tensor advantages, Tensor mask,
        double beta, double clipEps = DefaultClipEps, KlEstimator klEstimator = KlEstimator.K3)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(beta);
        using var scope = torch.NewDisposeScope();
        var surrogate = PolicyLoss(logProbs, oldLogProbs, advantages, mask, clipEps);
        var kl = Masked.Mean(Kl.Estimate(oldLogProbs.detach(), logProbs, klEstimator, mask), mask);
        using var b = beta.ToScalar();
        var loss = surrogate.Loss.add(kl.mul(b), One);                               // surrogate + beta KL
        return new PenaltyLossResult(loss.MoveToOuterDisposeScope(), surrogate.Loss.MoveToOuterDisposeScope(),
            kl.MoveToOuterDisposeScope(), surrogate.ClipFraction);
    }

    /// <summary>
    /// The whole objective of seed 004 as a loss to minimise: <c>-(L_RL - L_KL - c1 L_V) = policyLoss + c1 * valueLoss</c>,
    /// with policyLoss from <see cref="PenaltyPolicyLoss"/> (or <see cref="PolicyLoss"/> in the KL-in-reward form)
    /// and valueLoss from <see cref="ValueLoss"/>.
    /// </summary>
    public static Tensor TotalLoss(Tensor policyLoss, Tensor valueLoss, double c1)
    {
        using var scope = torch.NewDisposeScope();
        using var c = c1.ToScalar();
        return policyLoss.add(valueLoss.mul(c), One).MoveToOuterDisposeScope();       // policy + c1 value
    }

    /// <summary>
    /// Explained variance of the critic, <c>1 - Var[G - V] / Var[G]</c> over the valid tokens
    /// (population variances); 1 is perfect, 0 no better than a constant, NaN when Var[G] = 0.
    /// </summary>
    public static double ExplainedVariance(Tensor values, Tensor returns, Tensor mask)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var v = values.detach().to(ScalarType.Float64);
        var g = returns.detach().to(ScalarType.Float64);
        var varG = Masked.Var(g, mask, unbiased: false).item<double>();
        var varResidual = Masked.Var(g - v, mask, unbiased: false).item<double>();
        return varG == 0 ? double.NaN : 1 - varResidual / varG;
    }
}
