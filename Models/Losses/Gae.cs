using TorchSharp;
using static TorchSharp.torch;
using static AkkaRlhf.Models.Scalars;

namespace AkkaRlhf.Models.Losses;

/// <summary>Advantages A (B, T) and returns G = A + V (B, T), both 0 outside the mask.</summary>
public sealed record GaeResult(Tensor Advantages, Tensor Returns);

/// <summary>Generalised advantage estimation (rlhf-math.md, stage 3; OpenRLHF's get_advantages_and_returns).</summary>
public static class Gae
{
    public const double DefaultGamma = 1.0;
    public const double DefaultLambda = 0.95;

    /// <summary>
    /// With V_t = 0 and r_t = 0 past the last valid token (both are multiplied by the mask, V_T+1 = 0):
    /// <code>
    /// delta_t = r_t + gamma V_{t+1} - V_t
    /// A_t     = delta_t + gamma lambda A_{t+1}
    /// G_t     = A_t + V_t
    /// </code>
    /// rewards, values, mask: (B, T), right-padded responses. Computed without autograd: the results
    /// are regression targets and weights, detached from the inputs.
    /// </summary>
    public static GaeResult Compute(Tensor rewards, Tensor values, Tensor mask, double gamma = DefaultGamma, double lambda = DefaultLambda)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var v = Masked.Fill(values.detach(), mask);
        var r = Masked.Fill(rewards.detach(), mask);
        var t = r.size(1);
        var steps = new Tensor[t];
        using var discount = gamma.ToScalar();
        using var decay = (gamma * lambda).ToScalar();
        Tensor lastGae = torch.zeros_like(v.select(1, 0));
        for (var i = t - 1; i >= 0; i--)
        {
            var nextV = i < t - 1 ? v.select(1, i + 1) : torch.zeros_like(lastGae);
            var delta = r.select(1, i).add(nextV.mul(discount), One) - v.select(1, i);    // r_t + gamma V_t+1 - V_t
            lastGae = delta.add(lastGae.mul(decay), One);                                 // delta_t + gamma lambda A_t+1
            steps[i] = lastGae;
        }
        var advantages = Masked.Fill(torch.stack(steps, 1), mask);
        var returns = Masked.Fill(advantages.add(v, One), mask);
        return new GaeResult(advantages.MoveToOuterDisposeScope(), returns.MoveToOuterDisposeScope());
    }
}

/// <summary>Advantage post-processing (rlhf-math.md, stage 3).</summary>
public static class Advantages
{
    /// <summary>
    /// Whitening over every valid token of the batch: <c>A' = (A - mean) / (std + 1e-8)</c>, with the
    /// masked mean and the unbiased masked std (TRL's masked_whiten); 0 outside the mask.
    /// </summary>
    public static Tensor Whiten(Tensor advantages, Tensor mask, double eps = 1e-8) => Masked.Whiten(advantages, mask, shiftMean: true, unbiased: true, eps);
}

/// <summary>REINFORCE (seed 003): theta &lt;- theta + eta G_t grad log pi(a_t | s_t).</summary>
public static class Reinforce
{
    /// <summary>
    /// Returns-to-go <c>G_t = sum_{j &gt;= t} gamma^(j-t) r_j = r_t + gamma G_{t+1}</c> (seed 003 writes
    /// G_t = sum_{j=t+1}^T gamma^(j-t-1) r_j with r_{t+1} the reward after a_t; here r_t is that reward),
    /// over the valid tokens of each row; 0 outside the mask. rewards, mask: (B, T). No autograd.
    /// </summary>
    public static Tensor ReturnsToGo(Tensor rewards, Tensor mask, double gamma = 1.0)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var r = Masked.Fill(rewards.detach(), mask);
        var t = r.size(1);
        var steps = new Tensor[t];
        using var discount = gamma.ToScalar();
        Tensor g = torch.zeros_like(r.select(1, 0));
        for (var i = t - 1; i >= 0; i--)
        {
            g = r.select(1, i).add(g.mul(discount), One);                                  // r_t + gamma G_t+1
            steps[i] = g;
        }
        return Masked.Fill(torch.stack(steps, 1), mask).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The REINFORCE surrogate whose gradient is the seed's update direction (negated for descent):
    /// <c>L = -(1/B) sum_i sum_t m_it G_it log pi(a_it | s_it)</c>, returns treated as constants.
    /// </summary>
    public static Tensor Loss(Tensor logProbs, Tensor returns, Tensor mask)
    {
        using var scope = torch.NewDisposeScope();
        var perSequence = Masked.Sum(logProbs * returns.detach(), mask, dim: 1);
        return (-perSequence.mean()).MoveToOuterDisposeScope();
    }
}
