namespace AkkaRlhf.Torch.Tests;

public class ModuleSpecs
{
    private sealed class Mlp : Module
    {
        public readonly Linear fc1, fc2;
        public readonly Tensor scale;

        public Mlp(Generator g)
        {
            fc1 = register_module("fc1", new Linear(3, 4, generator: g));
            fc2 = register_module("fc2", new Linear(4, 2, hasBias: false, generator: g));
            scale = register_buffer("scale", torch.ones([1]));
        }

        public Tensor forward(Tensor x)
        {
            using var s = torch.NewDisposeScope();
            return (fc2.forward(fc1.forward(x).relu()) * scale).MoveToOuterDisposeScope();
        }
    }

    [Fact]
    public void Module_must_name_parameters_and_buffers_in_registration_order()
    {
        using var g = new Generator(0);
        using var m = new Mlp(g);
        Assert.Equal(["fc1.weight", "fc1.bias", "fc2.weight"], m.named_parameters().Select(p => p.name));
        Assert.Equal(["fc1.weight", "fc1.bias", "fc2.weight", "scale"], m.state_dict().Keys);
        Assert.Equal(new long[] { 4, 3 }, m.state_dict()["fc1.weight"].shape);
        Assert.All(m.parameters(), p => Assert.True(p.requires_grad));
    }

    [Fact]
    public void Load_state_dict_must_copy_values_and_reject_mismatches()
    {
        using var scope = torch.NewDisposeScope();
        using var g1 = new Generator(1);
        using var g2 = new Generator(2);
        using var a = new Mlp(g1);
        using var b = new Mlp(g2);
        var x = torch.randn([5, 3]);
        Assert.NotEqual(a.forward(x).ToArray<float>(), b.forward(x).ToArray<float>());
        b.load_state_dict(a.state_dict());
        Assert.Equal(a.forward(x).ToArray<float>(), b.forward(x).ToArray<float>());

        var partial = a.state_dict();
        partial.Remove("fc2.weight");
        var e = Assert.Throws<ArgumentException>(() => b.load_state_dict(partial));
        Assert.Contains("missing [fc2.weight]", e.Message);
        var wrong = a.state_dict();
        wrong["fc1.bias"] = torch.zeros([5]);
        var e2 = Assert.Throws<ArgumentException>(() => b.load_state_dict(wrong));
        Assert.Contains("fc1.bias", e2.Message);
    }

    [Fact]
    public void Module_to_must_keep_parameter_identity_and_eval_must_reach_children()
    {
        using var g = new Generator(0);
        using var m = new Mlp(g);
        var w = m.fc1.weight;
        m.to(Device.CPU, ScalarType.Float64);
        Assert.Same(w, m.named_parameters().First().parameter);
        Assert.Equal(ScalarType.Float64, m.fc1.weight.dtype);
        m.eval();
        Assert.False(m.fc1.training);
        m.train();
        Assert.True(m.fc2.training);
    }

    [Fact]
    public void A_small_mlp_must_learn_a_linear_map()
    {
        using var scope = torch.NewDisposeScope();
        using var g = new Generator(0);
        using var m = new Mlp(g);
        using var opt = new AdamW(m.parameters(), lr: 0.02, weight_decay: 0);
        var x = torch.randn([64, 3], generator: g);
        var target = torch.cat([x.sum(1, keepdim: true), (x.select(1, 0) - x.select(1, 2)).unsqueeze(1)], 1);
        double first = 0, last = 0;
        for (var step = 0; step < 300; step++)
        {
            using var s = torch.NewDisposeScope();
            opt.zero_grad();
            var loss = torch.nn.functional.mse_loss(m.forward(x), target);
            loss.backward();
            opt.step();
            if (step == 0) first = loss.item();
            last = loss.item();
        }
        Assert.True(last < first * 0.1, $"loss {first} -> {last}");
    }
}
