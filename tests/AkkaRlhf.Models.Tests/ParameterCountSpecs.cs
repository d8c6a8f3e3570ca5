using AkkaRlhf.Models;
using static TorchSharp.torch;

namespace AkkaRlhf.Models.Tests;

public sealed class ParameterCountSpecs
{
    [Fact]
    public void Every_weight_and_bias_counts_frozen_ones_too()
    {
        using var linear = nn.Linear(3, 2);
        Assert.Equal(3 * 2 + 2, ParameterCount.Of(linear));
        using var mlp = nn.Sequential(nn.Linear(4, 5), nn.ReLU(), nn.Linear(5, 1, hasBias: false));
        foreach (var p in mlp.parameters().Take(1)) p.requires_grad = false;
        Assert.Equal(4 * 5 + 5 + 5 * 1, ParameterCount.Of(mlp));
    }
}
