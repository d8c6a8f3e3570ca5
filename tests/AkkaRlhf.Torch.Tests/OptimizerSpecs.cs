namespace AkkaRlhf.Torch.Tests;

public class OptimizerSpecs
{
    // torch.optim.AdamW by hand, in double precision.
    private static double[] AdamWByHand(double[] p, double[][] grads, double lr, double wd, double b1 = 0.9, double b2 = 0.999, double eps = 1e-8)
    {
        var m = new double[p.Length];
        var v = new double[p.Length];
        p = (double[])p.Clone();
        for (var t = 1; t <= grads.Length; t++)
            for (var i = 0; i < p.Length; i++)
            {
                var g = grads[t - 1][i];
                p[i] *= 1 - lr * wd;
                m[i] = b1 * m[i] + (1 - b1) * g;
                v[i] = b2 * v[i] + (1 - b2) * g * g;
                var mhat = m[i] / (1 - Math.Pow(b1, t));
                var vhat = v[i] / (1 - Math.Pow(b2, t));
                p[i] -= lr * mhat / (Math.Sqrt(vhat) + eps);
            }
        return p;
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.1)]
    public void AdamW_steps_must_equal_the_hand_computed_update(double weightDecay)
    {
        using var scope = torch.NewDisposeScope();
        var init = new double[] { 0.5, -1.0, 2.0 };
        using var p = new Parameter(torch.tensor(init));
        using var opt = new AdamW([p], lr: 0.01, weight_decay: weightDecay);
        var coeff = new[] { 1.0, -2.0, 0.5 };
        var grads = new List<double[]>();
        for (var step = 0; step < 3; step++)
        {
            var current = p.ToArray<double>();
            grads.Add(current.Select((x, i) => 2 * coeff[i] * x).ToArray());   // d/dp sum(c p^2)
            opt.zero_grad();
            (p * p * torch.tensor(coeff)).sum().backward();
            opt.step();
        }
        var expected = AdamWByHand(init, grads.ToArray(), 0.01, weightDecay);
        var actual = p.ToArray<double>();
        for (var i = 0; i < 3; i++) Assert.Equal(expected[i], actual[i], 12);
    }

    [Fact]
    public void AdamW_must_reject_a_parameter_in_two_groups()
    {
        using var p = new Parameter(torch.zeros([2]).DetachFromDisposeScope());
        var e = Assert.Throws<ArgumentException>(() => new AdamW([new ParamGroup([p]), new ParamGroup([p])]));
        Assert.Contains("more than one", e.Message);
    }

    [Fact]
    public void AdamW_must_skip_parameters_without_gradients_and_restore_its_state()
    {
        using var scope = torch.NewDisposeScope();
        using var a = new Parameter(torch.ones([2]));
        using var b = new Parameter(torch.ones([2]));
        using var opt = new AdamW([new ParamGroup([a], lr: 0.1), new ParamGroup([b], lr: 0.1, weight_decay: 0)]);
        (a * 2).sum().backward();
        opt.step();
        Assert.Equal(new double[] { 1, 1 }, b.ToArray<float>().Select(x => (double)x));
        Assert.NotEqual(1f, a.ToArray<float>()[0]);
        var state = opt.state_dict();
        Assert.Equal(1, state["0.0.step"].item_long());
        Assert.Equal(0, state["1.0.step"].item_long());
        using var opt2 = new AdamW([new ParamGroup([a], lr: 0.1), new ParamGroup([b], lr: 0.1, weight_decay: 0)]);
        opt2.load_state_dict(state);
        Assert.Equal(state["0.0.exp_avg"].ToArray<float>(), opt2.state_dict()["0.0.exp_avg"].ToArray<float>());
    }

    [Fact]
    public void Clip_grad_norm_must_scale_gradients_to_the_max_norm()
    {
        using var scope = torch.NewDisposeScope();
        using var p = new Parameter(torch.zeros([2]));
        p.grad = torch.tensor(new float[] { 3, 4 });
        var norm = torch.nn.utils.clip_grad_norm_([p], 1.0);
        Assert.Equal(5.0, norm, 5);
        var g = p.grad!.ToArray<float>();
        Assert.Equal(0.6, g[0], 4);
        Assert.Equal(0.8, g[1], 4);
    }
}
