using AkkaRlhf.Models;
using AkkaRlhf.Models.Losses;
using TorchSharp;
using static AkkaRlhf.Models.Scalars;
using static TorchSharp.torch;

namespace AkkaRlhf.Models.Tests;

public class PpoLossSpecs
{
    /// <summary>Policy loss on one token with ratio rho and advantage a (log pi_old = -1).</summary>
    private static PolicyLossResult One(double rho, double a, double? dualClip = null, double eps = 0.2)
    {
        var old = Td.Of([-1.0], 1, 1);
        var logp = Td.Of([-1.0 + Math.Log(rho)], 1, 1);
        return PpoLosses.PolicyLoss(logp, old, Td.Of([a], 1, 1), torch.ones([1, 1]), eps, dualClip);
    }

    [Fact]
    public void Ppo_loss_must_be_minus_mean_advantage_at_ratio_one()
    {
        using var scope = torch.NewDisposeScope();
        var lp = Td.M(new double[,] { { -0.3, -2.0, -1.1 }, { -0.7, -0.2, -5.0 } });
        var a = Td.M(new double[,] { { 1.0, -2.0, 0.5 }, { 3.0, -0.5, 100 } });
        var mask = Td.M(new double[,] { { 1, 1, 1 }, { 1, 1, 0 } });
        var r = PpoLosses.PolicyLoss(lp, lp.clone(), a, mask);
        // -(1 - 2 + 0.5 + 3 - 0.5) / 5 = -0.4: the token mean over the whole batch, padding ignored
        Td.Close(-0.4, r.Loss.ToDouble(), 1e-12);
        Assert.Equal(0.0, r.ClipFraction);
        Td.Close(0.0, r.ApproxKl, 1e-12);
    }

    [Fact]
    public void Positive_advantage_with_ratio_above_the_band_must_be_clipped_at_one_plus_eps()
    {
        // rho 1.5, A 2: min(3, 1.2*2 = 2.4) = 2.4 -> L = -2.4, clipped, no gradient
        using var scope = torch.NewDisposeScope();
        var r = One(1.5, 2);
        Td.Close(-2.4, r.Loss.ToDouble(), 1e-12);
        Assert.Equal(1.0, r.ClipFraction);
        Td.Close(0.5 - Math.Log(1.5), r.ApproxKl, 1e-12);   // k3 = (rho - 1) - log rho
    }

    [Fact]
    public void Negative_advantage_with_ratio_below_the_band_must_be_clipped_at_one_minus_eps()
    {
        // rho 0.5, A -1: min(-0.5, 0.8*-1 = -0.8) = -0.8 -> L = 0.8, clipped
        using var scope = torch.NewDisposeScope();
        var r = One(0.5, -1);
        Td.Close(0.8, r.Loss.ToDouble(), 1e-12);
        Assert.Equal(1.0, r.ClipFraction);
    }

    [Theory]
    [InlineData(1.1, 2.0, -2.2)]    // inside the band: -rho A
    [InlineData(0.9, -1.0, 0.9)]    // inside the band, A < 0
    [InlineData(0.5, 2.0, -1.0)]    // A > 0 below the band: the unclipped term is the smaller one, min(1, 1.6)
    [InlineData(1.5, -1.0, 1.5)]    // A < 0 above the band: min(-1.5, -1.2) = -1.5, not clipped
    public void Ppo_loss_must_be_the_unclipped_surrogate_where_clipping_is_inactive(double rho, double a, double expected)
    {
        using var scope = torch.NewDisposeScope();
        var r = One(rho, a);
        Td.Close(expected, r.Loss.ToDouble(), 1e-12);
        Assert.Equal(0.0, r.ClipFraction);
    }

    [Fact]
    public void Dual_clip_must_cap_the_loss_at_minus_c_times_advantage_for_negative_advantages()
    {
        // rho 10, A -1: plain PPO L = -min(-10, -1.2) = 10; dual-clip c = 3: min(10, -3 * -1) = 3
        using var scope = torch.NewDisposeScope();
        Td.Close(10.0, One(10, -1).Loss.ToDouble(), 1e-9);
        Td.Close(3.0, One(10, -1, dualClip: PpoLosses.DefaultDualClip).Loss.ToDouble(), 1e-12);
        // below the cap nothing changes: rho 2, A -1 -> L = 2 < 3
        Td.Close(2.0, One(2, -1, dualClip: 3).Loss.ToDouble(), 1e-12);
        // positive advantages are never dual-clipped: rho 10, A 1 -> -1.2
        Td.Close(-1.2, One(10, 1, dualClip: 3).Loss.ToDouble(), 1e-12);
    }

    [Fact]
    public void Dual_clip_bound_must_exceed_one()
    {
        using var scope = torch.NewDisposeScope();
        Assert.Throws<ArgumentOutOfRangeException>(() => One(1, 1, dualClip: 1.0));
    }

    [Fact]
    public void Log_ratio_must_be_clamped_at_20_before_the_exponential()
    {
        // log pi - log pi_old = 50 -> rho = e^20; with A = -1 and no dual clip, L = e^20
        using var scope = torch.NewDisposeScope();
        var r = PpoLosses.PolicyLoss(Td.Of([49.0], 1, 1), Td.Of([-1.0], 1, 1), Td.Of([-1.0], 1, 1), torch.ones([1, 1]));
        Td.Close(Math.Exp(20), r.Loss.ToDouble(), 1e-3);
        Assert.True(double.IsFinite(r.Loss.ToDouble()));
    }

    [Fact]
    public void Clip_fraction_must_count_clipped_valid_tokens_only()
    {
        // tokens: clipped (1.5, 2), inside (1.1, 2), clipped (0.5, -1), masked clipped (1.5, 2)
        using var scope = torch.NewDisposeScope();
        var old = Td.Of([-1, -1, -1, -1], 1, 4);
        var lp = old.add(Td.Of([Math.Log(1.5), Math.Log(1.1), Math.Log(0.5), Math.Log(1.5)], 1, 4), Scalars.One);
        var r = PpoLosses.PolicyLoss(lp, old, Td.Of([2, 2, -1, 2], 1, 4), Td.Of([1, 1, 1, 0], 1, 4));
        Td.Close(2.0 / 3, r.ClipFraction, 1e-12);
        Td.Close((-2.4 - 2.2 + 0.8) / 3, r.Loss.ToDouble(), 1e-12);
    }

    [Fact]
    public void Value_loss_must_take_the_larger_of_clipped_and_unclipped_errors()
    {
        // eps_v 0.2
        // (V 1.0, V_old 0.5, G 1.2): unclipped 0.04; V_c = 0.7 -> 0.25; max 0.25 -> 0.125
        // (V 0.6, V_old 0.5, G 2.0): inside the band: 1.96 -> 0.98
        // (V 0.0, V_old 0.5, G 0.1): unclipped 0.01; V_c = 0.3 -> 0.04 -> 0.02
        // (V 1.0, V_old 0.5, G 0.8): unclipped 0.04; V_c = 0.7 -> 0.01; max 0.04 -> 0.02
        using var scope = torch.NewDisposeScope();
        double[] v = [1.0, 0.6, 0.0, 1.0], vOld = [0.5, 0.5, 0.5, 0.5], g = [1.2, 2.0, 0.1, 0.8];
        double[] expected = [0.125, 0.98, 0.02, 0.02];
        for (var i = 0; i < 4; i++)
        {
            var l = PpoLosses.ValueLoss(Td.Of([v[i]], 1, 1), Td.Of([vOld[i]], 1, 1), Td.Of([g[i]], 1, 1), torch.ones([1, 1]));
            Td.Close(expected[i], l.ToDouble(), 1e-12);
        }
        var all = PpoLosses.ValueLoss(Td.Of(v, 2, 2), Td.Of(vOld, 2, 2), Td.Of(g, 2, 2), torch.ones([2, 2]));
        Td.Close(1.145 / 4, all.ToDouble(), 1e-12);
        var plain = PpoLosses.ValueLoss(Td.Of([1.0], 1, 1), Td.Of([0.5], 1, 1), Td.Of([1.2], 1, 1), torch.ones([1, 1]), valueClipEps: null);
        Td.Close(0.02, plain.ToDouble(), 1e-12);
    }

    [Fact]
    public void Entropy_of_uniform_logits_must_be_log_vocabulary_size()
    {
        using var scope = torch.NewDisposeScope();
        var logits = torch.zeros([2, 3, 4], ScalarType.Float64);
        var peaked = torch.tensor(new double[] { 100, 0, 0, 0 }, [1, 1, 4]);
        Td.Close(Math.Log(4), PpoLosses.Entropy(logits, torch.ones([2, 3])).ToDouble(), 1e-12);
        Assert.True(PpoLosses.Entropy(peaked, torch.ones([1, 1])).ToDouble() < 1e-30);
    }

    [Fact]
    public void Explained_variance_must_be_one_for_perfect_values_and_zero_for_the_mean()
    {
        using var three = 3.0.ToScalar();
        using var scope = torch.NewDisposeScope();
        var g = Td.M(new double[,] { { 1, 2, 3 }, { 4, 5, 99 } });
        var mask = Td.M(new double[,] { { 1, 1, 1 }, { 1, 1, 0 } });
        Td.Close(1.0, PpoLosses.ExplainedVariance(g, g, mask), 1e-12);
        Td.Close(0.0, PpoLosses.ExplainedVariance(torch.full([2, 3], three, ScalarType.Float64), g, mask), 1e-12);
    }

    [Fact]
    public void Penalty_form_must_add_beta_times_kl_old_new_to_the_surrogate()
    {
        // one token, rho 1.1, A 2: surrogate -2.2; KL(old||new) k3 = (rho - 1) - log rho
        using var scope = torch.NewDisposeScope();
        var old = Td.Of([-1.0], 1, 1);
        var lp = Td.Of([-1.0 + Math.Log(1.1)], 1, 1);
        var r = PpoLosses.PenaltyPolicyLoss(lp, old, Td.Of([2.0], 1, 1), torch.ones([1, 1]), beta: 0.5);
        var kl = 0.1 - Math.Log(1.1);
        Td.Close(-2.2, r.Surrogate.ToDouble(), 1e-12);
        Td.Close(kl, r.KlOldNew.ToDouble(), 1e-12);
        Td.Close(-2.2 + 0.5 * kl, r.Loss.ToDouble(), 1e-12);
        // the seed's whole objective: -(L_RL - L_KL - c1 L_V)
        var v = PpoLosses.ValueLoss(Td.Of([0.6], 1, 1), Td.Of([0.5], 1, 1), Td.Of([2.0], 1, 1), torch.ones([1, 1]));
        Td.Close(-2.2 + 0.5 * kl + 0.1 * 0.98, PpoLosses.TotalLoss(r.Loss, v, c1: 0.1).ToDouble(), 1e-12);
    }

    [Fact]
    public void Losses_must_accept_float32_inputs_with_bool_masks()
    {
        using var scope = torch.NewDisposeScope();
        var lp = torch.tensor(new float[] { -1f, -2f, -0.5f, -3f }, [2, 2], requires_grad: true);
        var old = torch.tensor(new float[] { -1f, -2f, -0.5f, -3f }, [2, 2]);
        var a = torch.tensor(new float[] { 1f, 2f, 3f, 100f }, [2, 2]);
        var mask = torch.tensor(new bool[,] { { true, true }, { true, false } });
        var r = PpoLosses.PolicyLoss(lp, old, a, mask);
        Assert.Equal(ScalarType.Float32, r.Loss.dtype);
        Td.Close(-2.0, r.Loss.ToDouble(), 1e-6);
        r.Loss.backward();
        Td.Close([-1.0 / 3, -2.0 / 3, -1, 0], lp.grad!, 1e-6);
        var v = PpoLosses.ValueLoss(old, old, a, mask);
        Assert.Equal(ScalarType.Float32, v.dtype);
        var gae = Gae.Compute(a, old, mask);
        Assert.Equal(ScalarType.Float32, gae.Returns.dtype);
    }

    [Fact]
    public void Penalty_form_without_clip_must_be_the_plain_surrogate_plus_kl()
    {
        // rho 1.5, A 2, eps = +inf: surrogate -3 (no clip)
        using var scope = torch.NewDisposeScope();
        var old = Td.Of([-1.0], 1, 1);
        var lp = Td.Of([-1.0 + Math.Log(1.5)], 1, 1);
        var r = PpoLosses.PenaltyPolicyLoss(lp, old, Td.Of([2.0], 1, 1), torch.ones([1, 1]), beta: 1, clipEps: double.PositiveInfinity);
        Td.Close(-3.0, r.Surrogate.ToDouble(), 1e-12);
        Td.Close(-3.0 + 0.5 - Math.Log(1.5), r.Loss.ToDouble(), 1e-12);
    }
}
