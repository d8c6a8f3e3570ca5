using AkkaRlhf.Models.Losses;
using AkkaRlhf.Models.Training;
using TorchSharp;
using TorchSharp.Modules;
using static AkkaRlhf.Models.Scalars;
using static TorchSharp.torch;

namespace AkkaRlhf.Models.Tests;

public class TrainingSpecs
{
    /// <summary>A tiny GPT-like module: embedding, layer norm, two linears (one without bias), a tied head, a frozen tensor.</summary>
    private sealed class Tiny : nn.Module
    {
        public readonly EmbeddingTable Wte;
        public readonly LayerNorm Ln;
        public readonly Linear Fc;
        public readonly Linear Proj;
        public readonly Parameter Frozen;

        public Tiny(bool tie) : base(nameof(Tiny))
        {
            (Wte, Ln, Fc, Proj) = (new EmbeddingTable(10, 4), nn.LayerNorm(4), nn.Linear(4, 3), nn.Linear(3, 1, hasBias: false));
            Frozen = new Parameter(torch.zeros([2, 2]), requires_grad: false);
            register_module("wte", Wte);
            register_module("ln", Ln);
            register_module("fc", Fc);
            register_module("proj", Proj);
            register_parameter("frozen", Frozen);
            if (tie) register_parameter("head_weight", Wte.weight);   // the same Parameter under a second name
        }
    }

    [Fact]
    public void Decay_groups_must_follow_the_dim_rule_and_cover_every_parameter_exactly_once()
    {
        using var m = new Tiny(tie: false);
        var groups = OptimizerGroups.DecayNoDecay(m, weightDecay: 0.1, lr: 3e-4);
        Assert.Equal(2, groups.Count);
        var (decay, noDecay) = (groups[0], groups[1]);
        Assert.Equal(0.1, decay.Options.weight_decay);
        Assert.Equal(0.0, noDecay.Options.weight_decay);
        Assert.All(groups, g => Assert.Equal(3e-4, g.LearningRate));
        Assert.Equal(new Tensor[] { m.Wte.weight, m.Fc.weight!, m.Proj.weight! }, decay.Parameters);
        Assert.Equal(new Tensor[] { m.Ln.weight!, m.Ln.bias!, m.Fc.bias! }, noDecay.Parameters);
        var all = decay.Parameters.Concat(noDecay.Parameters).ToList();
        Assert.Equal(m.parameters().Count(p => p.requires_grad), all.Count);
        Assert.Equal(all.Count, all.Distinct(ReferenceEqualityComparer.Instance).Count());
        Assert.DoesNotContain(m.Frozen, all);
        using var opt = torch.optim.AdamW(groups);
        Assert.Equal(2, opt.ParamGroups.Count());
    }

    [Fact]
    public void Embeddings_must_move_to_no_decay_when_asked_and_tied_weights_appear_once()
    {
        using var m = new Tiny(tie: true);
        var nano = OptimizerGroups.DecayNoDecay(m, 0.1);
        Assert.Equal(3, nano[0].Parameters.Count());   // the tied head is the embedding, listed once
        var mingpt = OptimizerGroups.DecayNoDecay(m, 0.1, decayEmbeddings: false);
        Assert.Equal(new Tensor[] { m.Fc.weight!, m.Proj.weight! }, mingpt[0].Parameters);
        Assert.Contains(m.Wte.weight, mingpt[1].Parameters);
        Assert.Equal(4, mingpt[1].Parameters.Count());
    }

    [Fact]
    public void Group_validation_must_name_a_parameter_in_no_group_or_in_two()
    {
        using var m = new Tiny(tie: false);
        var missing = Assert.Throws<ArgumentException>(() => OptimizerGroups.Validate(m,
            [new AdamW.ParamGroup([m.Wte.weight, m.Ln.weight!, m.Ln.bias!, m.Fc.weight!, m.Proj.weight!])]));
        Assert.Contains("\"fc.bias\" is in no parameter group", missing.Message);
        var twice = Assert.Throws<ArgumentException>(() => OptimizerGroups.Validate(m,
            [new AdamW.ParamGroup(m.parameters().Where(p => p.requires_grad)), new AdamW.ParamGroup([m.Ln.weight!])]));
        Assert.Contains("\"ln.weight\" is in two parameter groups", twice.Message);
        using var stranger = nn.Linear(2, 2);
        Assert.Throws<ArgumentException>(() => OptimizerGroups.Validate(m,
            [new AdamW.ParamGroup(m.parameters().Where(p => p.requires_grad).Append(stranger.weight!))]));
    }

    [Fact]
    public void Cosine_schedule_must_warm_up_linearly_then_decay_to_the_floor()
    {
        // max 1e-3, min 1e-4, warmup 10, decay ends at 110; midpoint of the decay is step 60
        var s = new CosineSchedule(1e-3, 1e-4, warmupSteps: 10, decaySteps: 110);
        Td.Close(1e-3 / 11, s.LearningRate(0), 1e-15);       // warmup start
        Td.Close(1e-3 * 10 / 11, s.LearningRate(9), 1e-15);  // last warmup step
        Td.Close(1e-3, s.LearningRate(10), 1e-15);           // warmup end: the peak
        Td.Close(5.5e-4, s.LearningRate(60), 1e-15);         // midpoint: (max + min) / 2
        Td.Close(1e-4 + 0.5 * (1 + Math.Cos(Math.PI / 4)) * 9e-4, s.LearningRate(35), 1e-15);
        Td.Close(1e-4, s.LearningRate(110), 1e-15);          // end
        Td.Close(1e-4, s.LearningRate(10_000), 1e-15);       // after the end
        for (var i = 10; i < 110; i++) Assert.True(s.LearningRate(i + 1) <= s.LearningRate(i));
    }

    [Fact]
    public void Cosine_schedule_must_set_the_lr_of_every_param_group()
    {
        using var m = new Tiny(tie: false);
        using var opt = torch.optim.AdamW(OptimizerGroups.DecayNoDecay(m, 0.1));
        var s = new CosineSchedule(1e-3, 1e-4, 10, 110);
        Assert.Equal(5.5e-4, s.Apply(opt, 60), 15);
        Assert.All(opt.ParamGroups, g => Assert.Equal(5.5e-4, g.LearningRate, 15));
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void Stepwise_adamw_must_step_bit_for_bit_as_torchsharps_adamw(bool amsgrad, bool maximize)
    {
        using var scope = torch.NewDisposeScope();
        Parameter[] Weights() => [new(torch.randn([3, 4], generator: new Generator(5))), new(torch.randn([4], generator: new Generator(6)))];
        var (ours, theirs) = (Weights(), Weights());
        AdamW.ParamGroup[] Groups(Parameter[] w) =>
            [new([w[0]], lr: 0.05, weight_decay: 0.1, amsgrad: amsgrad, maximize: maximize), new([w[1]], lr: 0.05, weight_decay: 0, amsgrad: amsgrad, maximize: maximize)];
        using var stepwise = new StepwiseAdamW(Groups(ours));
        using var reference = torch.optim.AdamW(Groups(theirs));
        var target = torch.randn([3], generator: new Generator(7));
        for (var step = 0; step < 5; step++)
            foreach (var (w, optimizer) in new[] { (ours, (OptimizerHelper)stepwise), (theirs, reference) })
            {
                optimizer.zero_grad();
                w[0].matmul(w[1]).sub(target).pow(Two).sum().backward();                     // a loss whose gradient changes every step
                optimizer.step();
            }
        for (var i = 0; i < ours.Length; i++) Assert.Equal(theirs[i].data<float>().ToArray(), ours[i].data<float>().ToArray());    // exactly
        Assert.NotEqual(Weights()[0].data<float>().ToArray(), ours[0].data<float>().ToArray());                                     // and they moved
    }

    [Fact]
    public void Stepwise_adamw_first_step_must_move_each_weight_by_lr_after_the_decay()
    {
        // step 1: m = (1 - b1) g, v = (1 - b2) g^2, so m / (1 - b1) / (sqrt(v / (1 - b2)) + eps) = g / (|g| + eps)
        using var scope = torch.NewDisposeScope();
        var w = new Parameter(torch.tensor(new double[] { 3.0, -4.0 }));
        using var optimizer = new StepwiseAdamW([new AdamW.ParamGroup([w], lr: 0.1, weight_decay: 0.5, eps: 1e-8)]);
        w.mul(w).sum().backward();                                                           // g = 2 w = (6, -8)
        optimizer.step();
        Td.Close([3.0 * (1 - 0.05) - 0.1 * 6 / (6 + 1e-8), -4.0 * (1 - 0.05) + 0.1 * 8 / (8 + 1e-8)], Td.A(w), 1e-12);
    }

    [Fact]
    public void Train_step_must_clip_the_gradient_norm_and_update_the_parameters()
    {
        using var scope = torch.NewDisposeScope();
        var w = new Parameter(torch.tensor(new double[] { 3.0, 4.0 }));
        using var opt = torch.optim.AdamW([w], lr: 0.1, weight_decay: 0);
        var stats = TrainStep.Run((w * w).sum(), opt, maxGradNorm: 1.0, new CosineSchedule(0.1, 0.0, 0, 100), step: 0);
        Td.Close(25, stats.Loss, 1e-12);
        Td.Close(10, stats.GradNorm, 1e-9);            // |(6, 8)| before clipping
        Td.Close(0.1, stats.LearningRate, 1e-15);
        Td.Close([0.6, 0.8], Td.A(w.grad!), 1e-6);     // clipped to norm 1 (libtorch adds 1e-6 to the norm)
        Td.Close([2.9, 3.9], Td.A(w), 1e-6);           // Adam's first step moves each weight by lr
        w.Dispose();
    }

    [Fact]
    public void Sft_loss_must_be_the_mean_negative_log_likelihood_per_response_token()
    {
        using var scope = torch.NewDisposeScope();
        // uniform logits over 4 tokens: every token costs ln 4, whatever the mask
        var logits = torch.zeros([2, 3, 4], ScalarType.Float64);
        var targets = torch.tensor(new long[] { 0, 1, 2, 3, 0, 1 }, [2, 3]);
        var mask = torch.tensor(new bool[,] { { false, true, true }, { true, false, false } });
        Td.Close(Math.Log(4), SftLoss.FromLogits(logits, targets, mask).ToDouble(), 1e-12);
        var lp = Td.M(new double[,] { { -9, -1, -2 }, { -0.5, -7, -7 } });
        Td.Close(3.5 / 3, SftLoss.TokenMeanNll(lp, mask).ToDouble(), 1e-12);
        Td.Close([3, 0.5], SftLoss.SequenceNll(lp, mask), 1e-12);
    }
}
