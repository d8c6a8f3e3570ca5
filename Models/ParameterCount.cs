using TorchSharp;

namespace AkkaRlhf.Models;

/// <summary>How many parameters a model has.</summary>
public static class ParameterCount
{
    /// <summary>Every parameter of <paramref name="model"/>, frozen ones too (PyTorch: <c>sum(p.numel() for p in model.parameters())</c>).</summary>
    public static long Of(torch.nn.Module model)
    {
        long count = 0;
        foreach (var p in model.parameters()) count += p.numel();
        return count;
    }
}
