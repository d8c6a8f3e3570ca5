using TorchSharp;
using static TorchSharp.torch;

namespace AkkaRlhf.Models.Losses;

/// <summary>
/// Normalises reward-model scores: <c>r' = (r - mean) / (std + eps)</c>. Either fixed, from the
/// reward model's held-out statistics (rlhf-math.md, stage 2), or running over every score seen
/// (Chan et al. parallel update of count, mean and M2; std is the population std sqrt(M2 / n)).
/// </summary>
public sealed class RewardNormalizer
{
    private readonly bool running;
    private double m2;

    private RewardNormalizer(bool running, double mean, double std, double eps)
    {
        this.running = running;
        Mean = mean;
        Std = std;
        Eps = eps;
    }

    /// <summary>Fixed statistics, e.g. the reward model's mean and std on its held-out set.</summary>
    public static RewardNormalizer Fixed(double mean, double std, double eps = 1e-8)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(std);
        return new(false, mean, std, eps);
    }

    /// <summary>Running statistics: mean 0 until the first update, std 1 until two scores have been seen.</summary>
    public static RewardNormalizer Running(double eps = 1e-8) => new(true, 0, 1, eps);

    public double Mean { get; private set; }
    public double Std { get; private set; }
    public double Eps { get; }

    /// <summary>Number of scores seen (running form only).</summary>
    public long Count { get; private set; }

    /// <summary>Adds a batch of scores to the running statistics (no-op when fixed).</summary>
    public void Update(Tensor scores)
    {
        if (!running) return;
        double[] xs;
        using (torch.NewDisposeScope()) xs = scores.detach().to(ScalarType.Float64).cpu().reshape(-1).data<double>().ToArray();
        if (xs.Length == 0) return;
        var n = xs.Length;
        var mean = xs.Average();
        var m2b = xs.Sum(x => (x - mean) * (x - mean));
        var total = Count + n;
        var delta = mean - Mean;
        var newMean = Count == 0 ? mean : Mean + delta * n / total;
        m2 = Count == 0 ? m2b : m2 + m2b + delta * delta * Count * n / total;
        Count = total;
        Mean = newMean;
        Std = total >= 2 ? Math.Sqrt(m2 / total) : 1;
    }

    /// <summary><c>(r - mean) / (std + eps)</c>.</summary>
    public Tensor Normalize(Tensor scores)
    {
        using var scope = torch.NewDisposeScope();
        using var mean = Mean.ToScalar();
        using var scale = (Std + Eps).ToScalar();
        return (scores - mean).div(scale).MoveToOuterDisposeScope();                 // (r - mean) / (std + eps)
    }
}
