namespace AkkaRlhf.Torch;

/// <summary>y = x W^T + b, initialised as PyTorch does (uniform in ±1/sqrt(in_features)).</summary>
public sealed class Linear : Module
{
    public readonly Parameter weight;   // (out, in)
    public readonly Parameter? bias;    // (out)

    public Linear(long in_features, long out_features, bool hasBias = true, Device? device = null, Generator? generator = null)
    {
        var bound = 1.0 / Math.Sqrt(in_features);
        weight = register_parameter("weight", Init.Uniform([out_features, in_features], bound, device, generator))!;
        bias = register_parameter("bias", hasBias ? Init.Uniform([out_features], bound, device, generator) : null);
    }

    public Tensor forward(Tensor x) => torch.nn.functional.linear(x, weight, bias);
}

/// <summary>Parameter initialisers.</summary>
public static class Init
{
    /// <summary>A parameter with values uniform in [-bound, bound).</summary>
    public static Parameter Uniform(long[] shape, double bound, Device? device = null, Generator? generator = null)
    {
        using var scope = torch.NewDisposeScope();
        return new Parameter(torch.rand(shape, device: device, generator: generator) * (2 * bound) - bound);
    }

    /// <summary>A parameter with values drawn from N(0, std^2).</summary>
    public static Parameter Normal(long[] shape, double std, Device? device = null, Generator? generator = null)
    {
        using var scope = torch.NewDisposeScope();
        return new Parameter(torch.randn(shape, device: device, generator: generator) * std);
    }

    /// <summary>A parameter filled with <paramref name="value"/>.</summary>
    public static Parameter Constant(long[] shape, double value, Device? device = null)
    {
        using var scope = torch.NewDisposeScope();
        return new Parameter(torch.full(shape, value, device: device));
    }
}
