namespace AkkaRlhf.Torch.Tests;

public class AutogradSpecs
{
    [Fact]
    public void Gradient_of_sum_of_squares_must_be_twice_the_input()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(new float[] { -1.5f, 0, 2, 3.25f }, requires_grad: true);
        (x * x).sum().backward();
        var g = x.grad!;
        Assert.Equal(new float[] { -3, 0, 4, 6.5f }, g.ToArray<float>());
    }

    [Fact]
    public void Gradients_must_accumulate_until_cleared()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(new double[] { 1, 2 }, requires_grad: true);
        (x * 3).sum().backward();
        (x * 3).sum().backward();
        Assert.Equal(new double[] { 6, 6 }, x.grad!.ToArray<double>());
        x.grad = null;
        Assert.Null(x.grad);
    }

    [Fact]
    public void No_grad_scope_must_stop_recording_and_restore_the_mode()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.ones([2], requires_grad: true);
        Assert.True(torch.is_grad_enabled());
        using (torch.no_grad())
        {
            Assert.False(torch.is_grad_enabled());
            Assert.False((x * 2).requires_grad);
        }
        Assert.True(torch.is_grad_enabled());
        Assert.True((x * 2).requires_grad);
        Assert.False((x * 2).detach().requires_grad);
    }

    [Fact]
    public void Backward_through_softmax_and_log_must_match_the_closed_form()
    {
        // d/dz [-log softmax(z)_k] = softmax(z) - onehot(k)
        using var scope = torch.NewDisposeScope();
        var z = torch.tensor(new double[] { 0.5, -1, 2 }, requires_grad: true);
        (-z.log_softmax(0).select(0, 2)).backward();
        var p = new[] { Math.Exp(0.5), Math.Exp(-1), Math.Exp(2) };
        var s = p.Sum();
        var expected = new[] { p[0] / s, p[1] / s, p[2] / s - 1 };
        var actual = z.grad!.ToArray<double>();
        for (var i = 0; i < 3; i++) Assert.Equal(expected[i], actual[i], 12);
    }
}
