using AkkaRlhf.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace AkkaRlhf.Models.Tests;

/// <summary>Tiny models and batches shared by the specs.</summary>
internal static class Tiny
{
    public static readonly GptConfig Config = new() { VocabSize = 37, BlockSize = 32, NLayer = 2, NHead = 2, NEmbd = 16 };

    /// <summary>Left-pads token rows with <paramref name="pad"/>: ids (B, T) int64, mask (B, T) int64.</summary>
    public static (Tensor ids, Tensor mask) LeftPad(int[][] rows, long pad = 0)
    {
        var T = rows.Max(r => r.Length);
        var ids = new long[rows.Length * T];
        var mask = new long[rows.Length * T];
        for (var b = 0; b < rows.Length; b++)
            for (var j = 0; j < T; j++)
            {
                var k = j - (T - rows[b].Length);
                ids[b * T + j] = k < 0 ? pad : rows[b][k];
                mask[b * T + j] = k < 0 ? 0 : 1;
            }
        return (torch.tensor(ids, [rows.Length, T]), torch.tensor(mask, [rows.Length, T]));
    }

    public static void AllClose(Tensor expected, Tensor actual, double tol)
    {
        Assert.Equal(expected.shape, actual.shape);
        var diff = (expected.to(ScalarType.Float64) - actual.to(ScalarType.Float64)).abs().max().ToDouble();
        Assert.True(diff <= tol, $"max |difference| {diff} > {tol}");
    }
}
