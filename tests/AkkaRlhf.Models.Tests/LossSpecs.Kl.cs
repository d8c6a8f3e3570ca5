using AkkaRlhf.Models.Losses;
using TorchSharp;
using static AkkaRlhf.Models.Scalars;
using static TorchSharp.torch;

namespace AkkaRlhf.Models.Tests;

public class KlLossSpecs
{
    private static readonly double[] D = [-1, 0, 0.5, 2];

    private static Tensor Estimate(double[] d, KlEstimator k, Tensor? mask = null) =>
        Kl.Estimate(Td.V(d), torch.zeros([d.Length], ScalarType.Float64), k, mask);

    [Fact]
    public void Kl_estimators_must_match_their_formulas_on_known_log_ratios()
    {
        using var scope = torch.NewDisposeScope();
        Td.Close(D, Estimate(D, KlEstimator.K1), 1e-12);
        Td.Close([0.5, 0, 0.125, 2], Estimate(D, KlEstimator.K2), 1e-12);
        Td.Close([Math.E - 2, 0, Math.Exp(-0.5) - 0.5, Math.Exp(-2) + 1], Estimate(D, KlEstimator.K3), 1e-12);
    }

    [Fact]
    public void Kl_log_ratio_must_be_log_p_minus_log_q()
    {
        using var scope = torch.NewDisposeScope();
        // d = logp_old - logp_ref = -1 - (-3) = 2
        Td.Close([2], Kl.Estimate(Td.V(-1.0), Td.V(-3.0), KlEstimator.K1), 1e-12);
    }

    [Fact]
    public void Kl_estimates_must_be_clamped_to_plus_minus_ten()
    {
        using var scope = torch.NewDisposeScope();
        double[] d = [15, -15, -30, 4];
        Td.Close([10, -10, -10, 4], Estimate(d, KlEstimator.K1), 1e-12);
        Td.Close([10, 10, 10, 8], Estimate(d, KlEstimator.K2), 1e-12);
        Td.Close([10, 10, 10, Math.Exp(-4) + 3], Estimate(d, KlEstimator.K3), 1e-12);
        Assert.All(Td.A(Estimate([-1000, 1000], KlEstimator.K3)), x => Assert.Equal(10, x));
    }

    [Fact]
    public void Kl_estimates_must_be_zero_outside_the_mask()
    {
        using var scope = torch.NewDisposeScope();
        var mask = torch.tensor(new bool[] { true, false, true, false });
        Td.Close([-1, 0, 0.5, 0], Estimate(D, KlEstimator.K1, mask), 1e-12);
        var m2 = Td.M(new double[,] { { 1, 1 }, { 1, 0 } });
        Td.Close(((-1 + 0) + 0.5) / 2.0, Kl.SequenceMean(Td.Of(D, 2, 2), m2), 1e-12);
    }

    [Fact]
    public void Kl_loss_must_be_the_token_mean_of_k3_against_the_reference()
    {
        // d = log pi - log pi_ref = 0.5, -1 (third token masked): k3 = e^-0.5 - 0.5, e^1 - 2
        using var scope = torch.NewDisposeScope();
        var l = Kl.Loss(Td.Of([-0.5, -3, 7], 1, 3), Td.Of([-1, -2, 0], 1, 3), Td.Of([1, 1, 0], 1, 3));
        Td.Close((Math.Exp(-0.5) - 0.5 + Math.E - 2) / 2, l.ToDouble(), 1e-12);
    }

    [Fact]
    public void Reward_shaping_must_put_the_clipped_score_on_the_last_valid_token_only()
    {
        // beta 0.5, k = 0.1 everywhere -> -0.05 per valid token; scores 3 and -25 (clipped to -10)
        using var scope = torch.NewDisposeScope();
        using var tenth = 0.1.ToScalar();
        var k = torch.full([3, 4], tenth, ScalarType.Float64);
        var mask = Td.M(new double[,] { { 1, 1, 1, 0 }, { 1, 1, 1, 1 }, { 1, 1, 0, 0 } });
        var r = RewardShaping.PerTokenRewards(Td.V(3, -25, 12), k, mask, beta: 0.5);
        Td.Close([
            -0.05, -0.05, -0.05 + 3, 0,
            -0.05, -0.05, -0.05, -0.05 - 10,
            -0.05, -0.05 + 10, 0, 0,
        ], r, 1e-12);
        Assert.Equal([2L, 3, 1], RewardShaping.LastValidIndex(mask));
    }

    [Fact]
    public void Reward_shaping_clip_must_follow_the_bound_given()
    {
        using var scope = torch.NewDisposeScope();
        var k = torch.zeros([1, 2], ScalarType.Float64);
        var ones = torch.ones([1, 2]);
        Td.Close([0, 2], RewardShaping.PerTokenRewards(Td.V(5), k, ones, 0.1, scoreClip: 2), 1e-12);
        Td.Close([0, 25], RewardShaping.PerTokenRewards(Td.V(25), k, ones, 0.1, scoreClip: double.PositiveInfinity), 1e-12);
    }

    [Fact]
    public void Adaptive_kl_controller_must_move_beta_toward_the_target_with_the_error_clipped_at_0_2()
    {
        // beta 0.1, target 6, horizon 10000, n 256 -> n / horizon = 0.0256
        var up = new AdaptiveKlController(0.1, 6, 10000);
        up.Update(12, 256);              // error 1 -> 0.2
        Td.Close(0.1 * (1 + 0.2 * 0.0256), up.Beta, 1e-15);
        var down = new AdaptiveKlController(0.1, 6, 10000);
        down.Update(3, 256);             // error -0.5 -> -0.2
        Td.Close(0.1 * (1 - 0.2 * 0.0256), down.Beta, 1e-15);
        var small = new AdaptiveKlController(0.1, 6, 10000);
        small.Update(6.6, 256);          // error 0.1 inside the clip
        Td.Close(0.1 * (1 + 0.1 * 0.0256), small.Beta, 1e-15);
        Assert.True(up.Beta > 0.1 && down.Beta < 0.1);
        var on = new AdaptiveKlController(0.1, 6, 10000);
        on.Update(6, 256);
        Assert.Equal(0.1, on.Beta);
        var fixedBeta = new FixedKlController(0.05);
        fixedBeta.Update(100, 256);
        Assert.Equal(0.05, fixedBeta.Beta);
    }

    [Fact]
    public void Grpo_advantages_must_standardise_each_group_with_the_unbiased_std()
    {
        // group 1: 1 2 3 4, mean 2.5, std sqrt(5/3); group 2: 0 0 1 1, mean 0.5, std sqrt(1/3); group 3 constant -> 0
        using var scope = torch.NewDisposeScope();
        var a = GroupAdvantages.Grpo(Td.V(1, 2, 3, 4, 0, 0, 1, 1, 5, 5, 5, 5), groupSize: 4);
        var s1 = Math.Sqrt(5.0 / 3) + 1e-6;
        var s2 = Math.Sqrt(1.0 / 3) + 1e-6;
        Td.Close([-1.5 / s1, -0.5 / s1, 0.5 / s1, 1.5 / s1, -0.5 / s2, -0.5 / s2, 0.5 / s2, 0.5 / s2, 0, 0, 0, 0], a, 1e-12);
        var grouped = GroupAdvantages.Grpo(Td.Of([1, 2, 3, 4, 0, 0, 1, 1], 2, 4), groupSize: 4);
        Assert.Equal([2L, 4], grouped.shape);
    }

    [Fact]
    public void Rloo_advantages_must_subtract_the_mean_of_the_other_samples()
    {
        // 1 - (2+3+4)/3 = -2 ; 2 - 8/3 ; 3 - 7/3 ; 4 - 6/3 = 2
        using var scope = torch.NewDisposeScope();
        Td.Close([-2, 2 - 8.0 / 3, 3 - 7.0 / 3, 2], GroupAdvantages.Rloo(Td.V(1, 2, 3, 4), groupSize: 4), 1e-12);
        // groups of two: A = R_i - R_other
        Td.Close([1, -1, 0, 0], GroupAdvantages.Rloo(Td.V(1, 0, 7, 7), groupSize: 2), 1e-12);
    }

    [Fact]
    public void Group_advantages_must_reach_every_valid_token_of_their_sample()
    {
        using var scope = torch.NewDisposeScope();
        var mask = Td.M(new double[,] { { 1, 1, 0 }, { 1, 1, 1 } });
        Td.Close([0.5, 0.5, 0, -2, -2, -2], GroupAdvantages.ToTokens(Td.V(0.5, -2), mask), 1e-12);
        Assert.Throws<ArgumentOutOfRangeException>(() => GroupAdvantages.Grpo(Td.V(1, 2), groupSize: 1));
        Assert.Throws<ArgumentException>(() => GroupAdvantages.Rloo(Td.V(1, 2, 3), groupSize: 2));
    }

    [Fact]
    public void Whitening_must_give_masked_mean_zero_and_std_one()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(3);
        using var five = 5.ToScalar();
        var a = torch.randn([4, 6], ScalarType.Float64).mul(five).add(Two, One);
        var mask = Td.M(new double[,] { { 1, 1, 1, 1, 1, 1 }, { 1, 1, 1, 0, 0, 0 }, { 1, 0, 0, 0, 0, 0 }, { 1, 1, 1, 1, 1, 0 } });
        var w = Advantages.Whiten(a, mask);
        Td.Close(0.0, Masked.Mean(w, mask).ToDouble(), 1e-12);
        Td.Close(1.0, Masked.Var(w, mask).sqrt().ToDouble(), 1e-7);
        Td.Close(0.0, Masked.Sum(w, Masked.Valid(mask).logical_not()).ToDouble(), 0);
    }

    [Fact]
    public void Masked_reductions_must_agree_for_bool_and_float_masks_and_ignore_nan_padding()
    {
        using var scope = torch.NewDisposeScope();
        var x = Td.M(new double[,] { { 1, 2, double.NaN }, { 3, double.PositiveInfinity, 5 } });
        var b = torch.tensor(new bool[,] { { true, true, false }, { true, false, true } });
        var f = b.to(ScalarType.Float32);
        Td.Close(11.0, Masked.Sum(x, b).ToDouble(), 1e-12);
        Td.Close(2.75, Masked.Mean(x, f).ToDouble(), 1e-12);
        Td.Close([1.5, 4], Masked.Mean(x, b, dim: 1), 1e-12);
        // population variance of 1 2 3 5 = 2.1875; unbiased 2.916666...
        Td.Close(2.1875, Masked.Var(x, f, unbiased: false).ToDouble(), 1e-12);
        Td.Close(35.0 / 12, Masked.Var(x, b).ToDouble(), 1e-12);
        Td.Close(0.0, Masked.Mean(x, torch.zeros([2, 3])).ToDouble(), 0);
    }
}
