using TorchSharp;
using static TorchSharp.torch;
using static AkkaRlhf.Models.Scalars;

namespace AkkaRlhf.Models.Losses;

/// <summary>Per-token rewards of the KL-in-reward form of PPO (rlhf-math.md, stage 3; OpenRLHF's compute_reward).</summary>
public static class RewardShaping
{
    /// <summary>Default bound c on the reward-model score.</summary>
    public const double DefaultScoreClip = 10;

    /// <summary>
    /// <c>r_t = -beta * k_t + [t == T_i] * clip(r_phi(x, y_i), -c, c)</c>, with T_i the last valid
    /// token of row i and c = 10 by default (pass +inf to disable). score (B), klEstimates (B, T) from
    /// <see cref="Kl.Estimate"/>, mask (B, T). Entries outside the mask are 0; a row with no valid token
    /// gets no score.
    /// </summary>
    public static Tensor PerTokenRewards(Tensor score, Tensor klEstimates, Tensor mask, double beta, double scoreClip = DefaultScoreClip)
    {
        using var scope = torch.NewDisposeScope();
        var t = klEstimates.size(1);
        var valid = Masked.Valid(mask);
        var last = (valid.to(ScalarType.Int64) * Arange(0, t, mask.device)).amax([1], keepdim: true);   // (B, 1)
        using var lowest = (-scoreClip).ToScalar();
        using var highest = scoreClip.ToScalar();
        var clipped = score.to(klEstimates.dtype).clamp(lowest, highest).unsqueeze(1);
        var terminal = torch.zeros_like(klEstimates).scatter(1, last, clipped);
        using var penalty = (-beta).ToScalar();
        var rewards = klEstimates.mul(penalty).add(terminal, One);                   // -beta KL + terminal
        return rewards.masked_fill(valid.logical_not(), Zero).MoveToOuterDisposeScope();
    }

    /// <summary>Index of the last valid token of each row (B), -1 for an empty row.</summary>
    public static long[] LastValidIndex(Tensor mask)
    {
        using var scope = torch.NewDisposeScope();
        var valid = Masked.Valid(mask).to(ScalarType.Int64);
        var positions = Arange(1, mask.size(1) + 1, mask.device);
        return (valid * positions).amax(1).cpu().data<long>().ToArray().Select(i => i - 1).ToArray();
    }
}

/// <summary>The KL coefficient beta of the KL-in-reward form.</summary>
public interface IKlController
{
    /// <summary>The coefficient to use for the next rollout.</summary>
    double Beta { get; }

    /// <summary>Updates beta from the KL measured on the last rollout of <paramref name="steps"/> samples.</summary>
    void Update(double currentKl, long steps);
}

/// <summary>A constant beta.</summary>
public sealed class FixedKlController(double beta) : IKlController
{
    /// <inheritdoc/>
    public double Beta { get; } = beta;

    /// <inheritdoc/>
    public void Update(double currentKl, long steps) { }
}

/// <summary>
/// Adaptive beta toward a target KL (Ziegler et al. 2019; OpenRLHF/TRL AdaptiveKLController):
/// <c>beta &lt;- beta * (1 + clip(KL / target - 1, -0.2, 0.2) * n / horizon)</c>.
/// </summary>
public sealed class AdaptiveKlController : IKlController
{
    /// <summary>Bound on the proportional error.</summary>
    public const double ErrorClip = 0.2;

    public AdaptiveKlController(double initBeta, double targetKl, long horizon)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(initBeta);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(targetKl);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(horizon);
        (Beta, TargetKl, Horizon) = (initBeta, targetKl, horizon);
    }

    /// <inheritdoc/>
    public double Beta { get; private set; }

    public double TargetKl { get; }
    public long Horizon { get; }

    /// <inheritdoc/>
    public void Update(double currentKl, long steps) => Beta = NextBeta(Beta, currentKl, TargetKl, steps, Horizon);

    /// <summary><c>beta * (1 + clip(kl / target - 1, -0.2, 0.2) * n / horizon)</c>.</summary>
    public static double NextBeta(double beta, double kl, double target, long n, long horizon)
    {
        var error = Math.Clamp(kl / target - 1, -ErrorClip, ErrorClip);
        return beta * (1 + error * n / horizon);
    }
}
