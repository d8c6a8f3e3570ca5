using AkkaRlhf.Models.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace AkkaRlhf.Models.Tests;

public class DpoLossSpecs
{
    private static readonly double Ln2 = Math.Log(2);   // 0.693147...

    private static (Tensor pw, Tensor pl) SameAsReference() => (Td.V(-12.5, -3.25, -40, -7), Td.V(-11, -9.5, -2, -7));

    [Theory]
    [InlineData(0.1)]
    [InlineData(0.5)]
    [InlineData(2.0)]
    public void Dpo_loss_must_be_ln2_when_policy_equals_reference(double beta)
    {
        using var scope = torch.NewDisposeScope();
        var (pw, pl) = SameAsReference();
        var r = DpoLosses.Loss(pw, pl, pw.clone(), pl.clone(), beta);
        Td.Close(Ln2, r.Loss.ToDouble(), 1e-12);
        Td.Close(0.693147, r.Loss.ToDouble(), 5e-7);
        Assert.Equal(0.0, r.Accuracy);
        Assert.Equal(0.0, r.Margin);
        Td.Close([0, 0, 0, 0], r.ChosenRewards);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.1)]
    [InlineData(0.25)]
    [InlineData(0.5)]
    public void Cdpo_loss_must_be_ln2_at_the_reference_for_any_label_smoothing(double eps)
    {
        using var scope = torch.NewDisposeScope();
        var (pw, pl) = SameAsReference();
        var r = DpoLosses.Loss(pw, pl, pw.clone(), pl.clone(), beta: 0.1, labelSmoothing: eps);
        Td.Close(Ln2, r.Loss.ToDouble(), 1e-12);
        Assert.Equal(0.0, r.Accuracy);
    }

    [Theory]
    [InlineData(0.1, 25.0)]
    [InlineData(0.5, 1.0)]
    [InlineData(1.0, 0.25)]
    public void Ipo_loss_must_be_one_over_four_beta_squared_at_the_reference(double beta, double expected)
    {
        using var scope = torch.NewDisposeScope();
        var (pw, pl) = SameAsReference();
        var r = DpoLosses.Loss(pw, pl, pw.clone(), pl.clone(), beta, DpoLossType.Ipo);
        Td.Close(expected, r.Loss.ToDouble(), 1e-9);
        Td.Close(1 / (4 * beta * beta), r.Loss.ToDouble(), 1e-9);
        Assert.Equal(0.0, r.Accuracy);
    }

    [Fact]
    public void Dpo_must_match_a_hand_computed_pair()
    {
        // h = (-10 - -12) - (-15 - -14) = 2 + 1 = 3 ; z = 0.1 * 3 = 0.3
        // sigmoid: log(1 + e^-0.3) = 0.5543552...; cDPO(0.2): 0.8 log(1+e^-0.3) + 0.2 log(1+e^0.3)
        // IPO: (3 - 1/(2*0.1))^2 = (3 - 5)^2 = 4 ; rewards 0.1*2 = 0.2 and 0.1*-1 = -0.1
        using var scope = torch.NewDisposeScope();
        var (pw, pl, rw, rl) = (Td.V(-10), Td.V(-15), Td.V(-12), Td.V(-14));
        var s = DpoLosses.Loss(pw, pl, rw, rl, 0.1);
        Td.Close(Math.Log(1 + Math.Exp(-0.3)), s.Loss.ToDouble(), 1e-12);
        Td.Close(0.554355, s.Loss.ToDouble(), 1e-6);
        Td.Close([0.2], s.ChosenRewards, 1e-12);
        Td.Close([-0.1], s.RejectedRewards, 1e-12);
        Assert.Equal(1.0, s.Accuracy);
        Td.Close(0.3, s.Margin, 1e-12);
        var c = DpoLosses.Loss(pw, pl, rw, rl, 0.1, labelSmoothing: 0.2);
        Td.Close(0.8 * Math.Log(1 + Math.Exp(-0.3)) + 0.2 * Math.Log(1 + Math.Exp(0.3)), c.Loss.ToDouble(), 1e-12);
        var ipo = DpoLosses.Loss(pw, pl, rw, rl, 0.1, DpoLossType.Ipo);
        Td.Close(4.0, ipo.Loss.ToDouble(), 1e-9);
    }

    [Fact]
    public void Reward_accuracy_must_be_strict_and_averaged_over_pairs()
    {
        using var scope = torch.NewDisposeScope();
        // implicit reward gaps r_w - r_l: 0.5 (ahead), 0 (tie), -0.5 (behind), 0.5 (ahead) -> 2 / 4
        var r = DpoLosses.Loss(Td.V(-1, -5, -9, -2), Td.V(-3, -5, -1, -4), Td.V(-2, -5, -8, -3), Td.V(-3, -5, -1, -4), 0.5);
        Assert.Equal(0.5, r.Accuracy);
    }

    [Fact]
    public void Sigmoid_dpo_must_stay_finite_for_huge_log_ratio_differences()
    {
        using var scope = torch.NewDisposeScope();
        var loss = DpoLosses.Sigmoid(Td.V(-1000, 1000));
        Td.Close([1000, 0], loss, 1e-9);
    }

    [Fact]
    public void Dpo_must_refuse_beta_zero()
    {
        using var scope = torch.NewDisposeScope();
        Assert.Throws<ArgumentOutOfRangeException>(() => DpoLosses.Loss(Td.V(-1), Td.V(-2), Td.V(-1), Td.V(-2), 0));
    }

    [Fact]
    public void Dpo_gradient_must_reach_the_policy_and_not_the_reference()
    {
        using var scope = torch.NewDisposeScope();
        var pw = Td.V(-3.0).requires_grad_();
        var rw = Td.V(-3.5).requires_grad_();
        DpoLosses.Loss(pw, Td.V(-4.0), rw, Td.V(-4.0), 0.1).Loss.backward();
        Assert.NotNull(pw.grad);
        Assert.Null(rw.grad);
    }

    [Fact]
    public void Sequence_log_probs_must_sum_the_response_tokens_only()
    {
        using var scope = torch.NewDisposeScope();
        var lp = Td.M(new double[,] { { -1, -2, -3 }, { -0.5, -0.25, -100 } });
        var mask = torch.tensor(new bool[,] { { false, true, true }, { true, true, false } });
        Td.Close([-5, -0.75], LogProbs.SequenceSum(lp, mask));
    }
}
