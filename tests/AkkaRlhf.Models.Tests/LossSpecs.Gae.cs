using AkkaRlhf.Models.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace AkkaRlhf.Models.Tests;

public class GaeLossSpecs
{
    // Row 0: three valid tokens. Row 1: the response ends after two tokens; the third column holds
    // garbage that the mask must hide (V = 0 and r = 0 past the last valid token).
    private static readonly double[,] Rewards = { { 0, 0, 1 }, { 0, 2, 9 } };
    private static readonly double[,] Values = { { 0.5, 0.6, 0.7 }, { 1.0, 0.5, 7 } };
    private static readonly double[,] Mask = { { 1, 1, 1 }, { 1, 1, 0 } };

    [Fact]
    public void Gae_must_match_the_hand_computed_three_step_example()
    {
        // gamma 0.9, lambda 0.5 (gamma lambda = 0.45)
        // row 0: d2 = 1 + 0 - 0.7 = 0.3                 A2 = 0.3
        //        d1 = 0 + 0.9*0.7 - 0.6 = 0.03          A1 = 0.03 + 0.45*0.3   = 0.165
        //        d0 = 0 + 0.9*0.6 - 0.5 = 0.04          A0 = 0.04 + 0.45*0.165 = 0.11425
        //        G  = A + V = 0.61425, 0.765, 1.0
        // row 1: d2 = 0 (masked)                        A2 = 0
        //        d1 = 2 + 0.9*0 - 0.5 = 1.5             A1 = 1.5
        //        d0 = 0 + 0.9*0.5 - 1.0 = -0.55         A0 = -0.55 + 0.45*1.5 = 0.125
        //        G  = 1.125, 2.0, 0
        using var scope = torch.NewDisposeScope();
        var r = Gae.Compute(Td.M(Rewards), Td.M(Values), Td.M(Mask), gamma: 0.9, lambda: 0.5);
        Td.Close([0.11425, 0.165, 0.3, 0.125, 1.5, 0], r.Advantages, 1e-12);
        Td.Close([0.61425, 0.765, 1.0, 1.125, 2.0, 0], r.Returns, 1e-12);
    }

    [Fact]
    public void Gae_must_use_gamma_one_and_lambda_0_95_by_default()
    {
        // row 0: d2 = 0.3, A2 = 0.3 ; d1 = 0.7 - 0.6 = 0.1, A1 = 0.1 + 0.95*0.3 = 0.385
        //        d0 = 0.6 - 0.5 = 0.1, A0 = 0.1 + 0.95*0.385 = 0.46575 ; G = 0.96575, 0.985, 1.0
        // row 1: A1 = 2 - 0.5 = 1.5 ; d0 = 0.5 - 1.0 = -0.5, A0 = -0.5 + 0.95*1.5 = 0.925 ; G = 1.925, 2.0, 0
        using var scope = torch.NewDisposeScope();
        var r = Gae.Compute(Td.M(Rewards), Td.M(Values), Td.M(Mask));
        Td.Close([0.46575, 0.385, 0.3, 0.925, 1.5, 0], r.Advantages, 1e-12);
        Td.Close([0.96575, 0.985, 1.0, 1.925, 2.0, 0], r.Returns, 1e-12);
    }

    [Fact]
    public void Gae_returns_with_lambda_one_must_equal_discounted_returns_to_go()
    {
        using var scope = torch.NewDisposeScope();
        var gae = Gae.Compute(Td.M(Rewards), Td.M(Values), Td.M(Mask), gamma: 0.9, lambda: 1.0);
        var mc = Reinforce.ReturnsToGo(Td.M(Rewards), Td.M(Mask), gamma: 0.9);
        // row 0: 0.81, 0.9, 1 ; row 1: 1.8, 2, 0
        Td.Close([0.81, 0.9, 1.0, 1.8, 2.0, 0], mc, 1e-12);
        Td.Close(Td.A(mc), gae.Returns, 1e-12);
    }

    [Fact]
    public void Returns_to_go_must_discount_future_rewards_within_the_mask()
    {
        // gamma 0.5: row 0 r = 1, 0, 2 -> G2 = 2, G1 = 0 + 0.5*2 = 1, G0 = 1 + 0.5*1 = 1.5
        //            row 1 r = 1, 3, (100 masked) -> G1 = 3, G0 = 1 + 1.5 = 2.5
        using var scope = torch.NewDisposeScope();
        var g = Reinforce.ReturnsToGo(Td.M(new double[,] { { 1, 0, 2 }, { 1, 3, 100 } }), Td.M(Mask), gamma: 0.5);
        Td.Close([1.5, 1, 2, 2.5, 3, 0], g, 1e-12);
    }

    [Fact]
    public void Gae_results_must_carry_no_autograd_graph()
    {
        using var scope = torch.NewDisposeScope();
        var v = Td.M(Values).requires_grad_();
        var r = Gae.Compute(Td.M(Rewards), v, Td.M(Mask));
        Assert.False(r.Advantages.requires_grad);
        Assert.False(r.Returns.requires_grad);
    }

    [Fact]
    public void Reinforce_loss_must_weight_log_probs_by_returns_summed_per_sequence()
    {
        // -(1/2) [ (1.5*-1 + 1*-2 + 2*-1) + (2.5*-0.5 + 3*-1) ] = -(1/2)(-5.5 - 4.25) = 4.875
        using var scope = torch.NewDisposeScope();
        var lp = Td.M(new double[,] { { -1, -2, -1 }, { -0.5, -1, -50 } });
        var g = Td.M(new double[,] { { 1.5, 1, 2 }, { 2.5, 3, 0 } });
        Td.Close(4.875, Reinforce.Loss(lp, g, Td.M(Mask)).ToDouble(), 1e-12);
    }
}
