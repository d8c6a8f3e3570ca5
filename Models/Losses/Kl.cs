using TorchSharp;
using static TorchSharp.torch;
using static AkkaRlhf.Models.Scalars;

namespace AkkaRlhf.Models.Losses;

/// <summary>Per-token estimators of KL(p || q) from samples of p, with d = log p - log q.</summary>
public enum KlEstimator
{
    /// <summary>k1 = d (unbiased, high variance, can be negative).</summary>
    K1,
    /// <summary>k2 = d^2 / 2 (biased, low variance, non-negative).</summary>
    K2,
    /// <summary>k3 = exp(-d) - 1 + d (unbiased, low variance, non-negative; Schulman's estimator).</summary>
    K3,
}

/// <summary>KL estimators (rlhf-math.md, stage 3), as OpenRLHF's compute_approx_kl and veRL's kl_penalty.</summary>
public static class Kl
{
    /// <summary>Bound applied to every estimate: <c>clamp(k, -10, 10)</c>.</summary>
    public const double DefaultClip = 10;

    /// <summary><c>k1 = d</c>.</summary>
    public static Tensor K1(Tensor d) => d.clone();

    /// <summary><c>k2 = d^2 / 2</c>.</summary>
    public static Tensor K2(Tensor d)
    {
        using var scope = torch.NewDisposeScope();
        return d.pow(Two).mul(OneHalf).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// <c>k3 = exp(-d) - 1 + d</c>. d is clamped to [-20, 20] inside the exponential only (as veRL) so
    /// it cannot overflow; any value it changes is above the estimate clip of 10 anyway.
    /// </summary>
    public static Tensor K3(Tensor d)
    {
        using var scope = torch.NewDisposeScope();
        using var bound = 20.ToScalar();
        using var lowest = (-20).ToScalar();
        return ((-d.clamp(lowest, bound)).exp() - One).add(d, One).MoveToOuterDisposeScope();   // exp(-d) - 1 + d
    }

    /// <summary>
    /// Per-token estimate of KL(p || q) from the log-ratio <c>d = logP - logQ</c> (in PPO: p = pi_old,
    /// the sampling policy, q = pi_ref), clamped: <c>clamp(k(d), -clip, clip)</c> with clip 10.
    /// With a mask, entries outside it are 0. Shapes (B, T).
    /// </summary>
    public static Tensor Estimate(Tensor logP, Tensor logQ, KlEstimator estimator = KlEstimator.K1, Tensor? mask = null, double clip = DefaultClip)
    {
        using var scope = torch.NewDisposeScope();
        var d = logP - logQ;
        var k = estimator switch
        {
            KlEstimator.K1 => K1(d),
            KlEstimator.K2 => K2(d),
            KlEstimator.K3 => K3(d),
            _ => throw new ArgumentOutOfRangeException(nameof(estimator), estimator, "unknown KL estimator"),
        };
        using var lowest = (-clip).ToScalar();
        using var highest = clip.ToScalar();
        k = k.clamp(lowest, highest);
        if (mask is not null) k = Masked.Fill(k, mask);
        return k.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// KL as a loss term (GRPO; the "use_kl_loss" form of veRL/OpenRLHF): the token-mean over the batch
    /// of <c>k(d)</c> with <c>d = log pi_theta - log pi_ref</c>, k3 by default, clamped to ±10. The
    /// gradient flows to pi_theta only (the reference is a constant).
    /// </summary>
    public static Tensor Loss(Tensor logProbs, Tensor refLogProbs, Tensor mask, KlEstimator estimator = KlEstimator.K3, double clip = DefaultClip)
    {
        using var scope = torch.NewDisposeScope();
        return Masked.Mean(Estimate(logProbs, refLogProbs.detach(), estimator, mask, clip), mask).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Sequence KL for reporting, <c>KL(pi || pi_ref) ~ mean_i sum_t m_it k_it</c> (sum over the
    /// response tokens, mean over the batch).
    /// </summary>
    public static double SequenceMean(Tensor estimates, Tensor mask)
    {
        using var scope = torch.NewDisposeScope();
        return Masked.Sum(estimates, mask, dim: 1).to(ScalarType.Float64).mean().item<double>();
    }
}
