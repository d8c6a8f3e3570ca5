using AkkaRlhf.Models.Losses;
using TorchSharp;
using static AkkaRlhf.Models.Scalars;
using static TorchSharp.torch;

namespace AkkaRlhf.Models.Tests;

public class RewardLossSpecs
{
    [Fact]
    public void Listwise_loss_must_equal_bradley_terry_for_two_candidates()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(7);
        using var three = 3.ToScalar();
        var scores = torch.randn([16, 2], ScalarType.Float64).mul(three);
        var a = scores.select(1, 0);
        var b = scores.select(1, 1);
        var firstBest = torch.zeros([16], ScalarType.Int64);
        Td.Close(RewardLosses.BradleyTerry(a, b).ToDouble(), RewardLosses.Listwise(scores, firstBest).ToDouble(), 1e-6);
        var secondBest = torch.ones([16], ScalarType.Int64);
        Td.Close(RewardLosses.BradleyTerry(b, a).ToDouble(), RewardLosses.Listwise(scores, secondBest).ToDouble(), 1e-6);
    }

    [Fact]
    public void Listwise_loss_must_ignore_masked_candidates()
    {
        using var scope = torch.NewDisposeScope();
        var three = Td.M(new double[,] { { 1.5, -0.5, 1e9 }, { 0.2, 0.7, 1e9 } });
        var mask = torch.tensor(new bool[,] { { true, true, false }, { true, true, false } });
        var best = torch.tensor(new long[] { 0, 1 });
        var two = Td.M(new double[,] { { 1.5, -0.5 }, { 0.2, 0.7 } });
        Td.Close(RewardLosses.Listwise(two, best).ToDouble(), RewardLosses.Listwise(three, best, mask).ToDouble(), 1e-12);
    }

    [Fact]
    public void Listwise_loss_must_be_the_cross_entropy_of_the_labelled_best()
    {
        // scores (1, 2, 3), best 0: log(e + e^2 + e^3) - 1
        using var scope = torch.NewDisposeScope();
        var l = RewardLosses.Listwise(Td.Of([1, 2, 3], 1, 3), torch.tensor(new long[] { 0 }));
        Td.Close(Math.Log(Math.E + Math.Exp(2) + Math.Exp(3)) - 1, l.ToDouble(), 1e-12);
    }

    [Fact]
    public void Bradley_terry_margin_must_shift_the_score_difference()
    {
        using var scope = torch.NewDisposeScope();
        var (w, l) = (Td.V(2.0, 0.5), Td.V(1.0, -0.5));
        using var shift = 0.3.ToScalar();
        // difference 1 with margin 1: -log sigma(0) = ln 2
        Td.Close(Math.Log(2), RewardLosses.BradleyTerry(w, l, margin: 1).ToDouble(), 1e-12);
        // no margin: -log sigma(1) = log(1 + e^-1)
        Td.Close(Math.Log(1 + Math.Exp(-1)), RewardLosses.BradleyTerry(w, l).ToDouble(), 1e-12);
        // a margin m equals lowering the chosen score by m, and a larger margin means a larger loss
        Td.Close(RewardLosses.BradleyTerry(w.sub(shift), l).ToDouble(), RewardLosses.BradleyTerry(w, l, 0.3).ToDouble(), 1e-12);
        Assert.True(RewardLosses.BradleyTerry(w, l, 0.5).ToDouble() > RewardLosses.BradleyTerry(w, l, 0.1).ToDouble());
        // per-pair margins
        Td.Close((Math.Log(2) + Math.Log(1 + Math.Exp(-0.5))) / 2, RewardLosses.BradleyTerry(w, l, Td.V(1.0, 0.5)).ToDouble(), 1e-12);
    }

    [Fact]
    public void Bradley_terry_must_stay_finite_for_huge_score_gaps()
    {
        using var scope = torch.NewDisposeScope();
        Td.Close(1000.0, RewardLosses.BradleyTerry(Td.V(-500.0), Td.V(500.0)).ToDouble(), 1e-9);
    }

    [Fact]
    public void Pairwise_accuracy_must_count_ties_as_wrong()
    {
        using var scope = torch.NewDisposeScope();
        Td.Close(1.0 / 3, RewardLosses.PairwiseAccuracy(Td.V(2, 1, 1), Td.V(1, 1, 3)), 1e-12);
    }

    [Fact]
    public void Fixed_reward_normalizer_must_use_the_held_out_statistics()
    {
        using var scope = torch.NewDisposeScope();
        var n = RewardNormalizer.Fixed(mean: 1, std: 2);
        Td.Close([1, -0.5], n.Normalize(Td.V(3, 0)), 1e-7);
        n.Update(Td.V(100, 200));
        Assert.Equal(1.0, n.Mean);
    }

    [Fact]
    public void Running_reward_normalizer_must_merge_batches_into_the_population_statistics()
    {
        using var scope = torch.NewDisposeScope();
        var n = RewardNormalizer.Running();
        n.Update(Td.V(1, 2, 3));
        n.Update(Td.V(4, 5));
        Assert.Equal(5, n.Count);
        Td.Close(3.0, n.Mean, 1e-12);
        Td.Close(Math.Sqrt(2), n.Std, 1e-12);   // population variance of 1..5 is 2
        Td.Close([2 / (Math.Sqrt(2) + 1e-8)], n.Normalize(Td.V(5)), 1e-12);
    }
}
