using TorchSharp;
using static TorchSharp.torch;
using static AkkaRlhf.Models.Scalars;

namespace AkkaRlhf.Models.Losses;

/// <summary>
/// Critic-free advantages over groups of G responses to the same prompt (rlhf-math.md). rewards is
/// (N * G) with the G samples of a prompt consecutive (TRL/veRL layout) or (N, G); the result has
/// the same shape. Computed without autograd.
/// </summary>
public static class GroupAdvantages
{
    public const double DefaultGrpoEps = 1e-6;

    /// <summary>
    /// GRPO: <c>A_i = (R_i - mean_group) / (std_group + 1e-6)</c>. std is the unbiased sample std
    /// (divides by G - 1), as torch.std's default used by TRL's GRPOTrainer and veRL; G &gt;= 2.
    /// </summary>
    public static Tensor Grpo(Tensor rewards, int groupSize, double eps = DefaultGrpoEps)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var g = Grouped(rewards, groupSize);
        var mean = g.mean([1], keepdim: true);
        var std = g.std(1, unbiased: true, keepdim: true);
        using var epsilon = eps.ToScalar();
        return ((g - mean) / std.add(epsilon, One)).reshape(rewards.shape).MoveToOuterDisposeScope();   // (r - mean) / (std + eps)
    }

    /// <summary>RLOO: <c>A_i = R_i - mean_{j != i} R_j = R_i - (sum_j R_j - R_i) / (G - 1)</c>; G &gt;= 2.</summary>
    public static Tensor Rloo(Tensor rewards, int groupSize)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var g = Grouped(rewards, groupSize);
        using var rest = (groupSize - 1).ToScalar();
        var others = (g.sum(1, keepdim: true) - g).div(rest);
        return (g - others).reshape(rewards.shape).MoveToOuterDisposeScope();
    }

    /// <summary>The same advantage for every valid token of sample i: <c>A_it = m_it A_i</c>, (B) and (B, T) -> (B, T).</summary>
    public static Tensor ToTokens(Tensor perSample, Tensor mask)
    {
        using var scope = torch.NewDisposeScope();
        var a = perSample.reshape(-1, 1) * Masked.AsWeights(mask, perSample.dtype);
        return a.MoveToOuterDisposeScope();
    }

    private static Tensor Grouped(Tensor rewards, int groupSize)
    {
        if (groupSize < 2) throw new ArgumentOutOfRangeException(nameof(groupSize), groupSize, "a group needs at least 2 samples");
        var n = rewards.numel();
        if (n % groupSize != 0) throw new ArgumentException($"{n} rewards do not split into groups of {groupSize}", nameof(rewards));
        var dtype = torch.is_floating_point(rewards.dtype) ? rewards.dtype : ScalarType.Float32;
        return rewards.detach().to(dtype).reshape(n / groupSize, groupSize);
    }
}
