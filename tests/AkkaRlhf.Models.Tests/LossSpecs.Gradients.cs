using AkkaRlhf.Models.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace AkkaRlhf.Models.Tests;

/// <summary>Central-difference checks (float64, step 1e-6, 1e-6 relative) of every custom loss against autograd.</summary>
public class GradientLossSpecs
{
    private static readonly double[] Mask23 = [1, 1, 1, 1, 1, 0];

    [Fact]
    public void Ppo_policy_loss_gradient_must_match_central_differences_away_from_the_clip_kinks()
    {
        // log-ratios chosen well inside the band or well outside it (|rho - (1 ± eps)| >= 0.05)
        double[] old = [-1.0, -2.0, -0.5, -1.5, -3.0, -0.7];
        double[] logRatio = [0.05, -0.1, 0.5, -0.6, 0.12, 0.3];
        double[] adv = [1.5, -0.8, 2.0, -1.2, -0.4, 0.9];
        var logp = old.Zip(logRatio, (o, r) => o + r).ToArray();
        foreach (var dual in new double?[] { null, 3.0 })
            GradCheck.Check(x => PpoLosses.PolicyLoss(x[0], Td.Of(old, 2, 3), Td.Of(adv, 2, 3), Td.Of(Mask23, 2, 3), 0.2, dual).Loss,
                (logp, [2, 3]));
    }

    [Fact]
    public void Ppo_dual_clip_gradient_must_match_central_differences()
    {
        // A < 0 with rho = e^1.5 (dual-capped, zero gradient) beside unclipped tokens
        double[] old = [-1.0, -2.0, -0.5];
        double[] logp = [0.5, -2.05, -0.45];
        double[] adv = [-1.0, 0.7, -0.3];
        GradCheck.Check(x => PpoLosses.PolicyLoss(x[0], Td.Of(old, 1, 3), Td.Of(adv, 1, 3), torch.ones([1, 3]), 0.2, 3.0).Loss,
            (logp, [1, 3]));
    }

    [Fact]
    public void Ppo_penalty_loss_gradient_must_match_central_differences()
    {
        double[] old = [-1.0, -2.0, -0.5, -1.5];
        double[] logp = [-0.95, -2.1, -0.2, -1.6];
        double[] adv = [1.0, -0.5, 0.8, 2.0];
        GradCheck.Check(x => PpoLosses.PenaltyPolicyLoss(x[0], Td.Of(old, 2, 2), Td.Of(adv, 2, 2), torch.ones([2, 2]), beta: 0.3).Loss,
            (logp, [2, 2]));
    }

    [Fact]
    public void Value_loss_gradient_must_match_central_differences()
    {
        // clipped-branch tokens (|V - V_old| > 0.2 and the clipped error larger) beside unclipped ones
        double[] v = [1.0, 0.6, 0.0, 1.0, -0.3, 2.0];
        double[] vOld = [0.5, 0.5, 0.5, 0.5, 0.0, 1.5];
        double[] g = [1.2, 2.0, 0.1, 0.8, -1.0, 9.0];
        GradCheck.Check(x => PpoLosses.ValueLoss(x[0], Td.Of(vOld, 2, 3), Td.Of(g, 2, 3), Td.Of(Mask23, 2, 3)), (v, [2, 3]));
        GradCheck.Check(x => PpoLosses.ValueLoss(x[0], Td.Of(vOld, 2, 3), Td.Of(g, 2, 3), Td.Of(Mask23, 2, 3), null), (v, [2, 3]));
    }

    private static readonly double[] Pw = [-10.0, -4.5, -20.0];
    private static readonly double[] Pl = [-11.0, -3.0, -19.5];
    private static readonly double[] Rw = [-10.5, -4.0, -21.0];
    private static readonly double[] Rl = [-10.8, -3.5, -19.0];

    [Theory]
    [InlineData(DpoLossType.Sigmoid, 0.0)]
    [InlineData(DpoLossType.Sigmoid, 0.1)]
    [InlineData(DpoLossType.Sigmoid, 0.3)]
    [InlineData(DpoLossType.Ipo, 0.0)]
    public void Dpo_loss_gradient_must_match_central_differences(DpoLossType type, double eps)
    {
        GradCheck.Check(x => DpoLosses.Loss(x[0], x[1], Td.V(Rw), Td.V(Rl), 0.5, type, eps).Loss, (Pw, [3]), (Pl, [3]));
    }

    [Fact]
    public void Bradley_terry_gradient_must_match_central_differences()
    {
        GradCheck.Check(x => RewardLosses.BradleyTerry(x[0], x[1], 0.25), ([1.0, -0.5, 2.0, 0.3], [4]), ([0.2, 0.7, -1.0, 0.3], [4]));
    }

    [Fact]
    public void Listwise_gradient_must_match_central_differences()
    {
        var best = torch.tensor(new long[] { 2, 0 });
        GradCheck.Check(x => RewardLosses.Listwise(x[0], best), ([0.1, -1.2, 0.8, 2.0, 0.5, -0.3], [2, 3]));
        var mask = torch.tensor(new bool[,] { { true, true, true }, { true, false, true } });
        GradCheck.Check(x => RewardLosses.Listwise(x[0], best, mask), ([0.1, -1.2, 0.8, 2.0, 0.5, -0.3], [2, 3]));
    }

    [Fact]
    public void Kl_loss_gradient_must_match_central_differences_for_every_estimator()
    {
        double[] reference = [-1.0, -2.0, -0.5, -1.5];
        double[] logp = [-0.6, -2.5, -0.4, -3.0];
        var mask = torch.tensor(new double[] { 1, 1, 1, 0 }, [2, 2]);
        foreach (var k in Enum.GetValues<KlEstimator>())
            GradCheck.Check(x => Kl.Loss(x[0], Td.Of(reference, 2, 2), mask, k), (logp, [2, 2]));
    }

    [Fact]
    public void Gradient_check_must_reject_a_wrong_gradient()
    {
        // autograd sees d/dx [stop(x) * x] = x, the function's true derivative is 2x
        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => GradCheck.Check(x => (x[0].detach() * x[0]).sum(), ([1.0, -2.0], [2])));
    }

    [Fact]
    public void Entropy_and_sft_gradients_must_match_central_differences()
    {
        double[] logits = [0.1, -0.4, 1.3, 0.0, 2.0, -1.0, 0.5, 0.5, -0.2, 0.9, 1.1, -2.0];
        var targets = torch.tensor(new long[] { 2, 0, 1 }, [1, 3]);
        var mask = torch.tensor(new double[] { 1, 1, 0 }, [1, 3]);
        GradCheck.Check(x => PpoLosses.Entropy(x[0], mask), (logits, [1, 3, 4]));
        GradCheck.Check(x => SftLoss.FromLogits(x[0], targets, mask), (logits, [1, 3, 4]));
    }
}
