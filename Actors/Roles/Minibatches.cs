using AkkaRlhf.Models.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace AkkaRlhf.Actors.Roles;

/// <summary>Shuffled minibatch row indices from a role's own seeded random stream.</summary>
public static class Minibatches
{
    /// <summary>Index tensors (int64) covering 0..count-1 once, in an order drawn from <paramref name="rng"/>.</summary>
    public static IEnumerable<Tensor> Of(int count, int size, SeededRandom rng, Device device)
    {
        var order = rng.Permutation(count);
        for (var start = 0; start < count; start += size)
        {
            var rows = order[start..Math.Min(count, start + size)].Select(i => (long)i).ToArray();
            yield return torch.tensor(rows, device: device);
        }
    }

    /// <summary>The micro-batches of the minibatch <paramref name="rows"/>: consecutive slices of at most <paramref name="size"/> rows (0: the minibatch whole).</summary>
    public static Tensor[] Micro(Tensor rows, int size) => size <= 0 || size >= rows.size(0) ? [rows] : rows.split(size);

    /// <summary>
    /// The weight of each micro-batch's token mean in its minibatch's token mean: its share of the valid tokens of
    /// <paramref name="actionMask"/> (B, N) in <paramref name="parts"/>; [1] for a single part (nothing counted).
    /// </summary>
    public static double[] TokenShares(Tensor actionMask, Tensor[] parts)
    {
        if (parts.Length == 1) return [1];
        using var scope = torch.NewDisposeScope();
        var counts = parts.Select(p => actionMask.index_select(0, p).sum().ToDouble()).ToArray();
        var total = Math.Max(1, counts.Sum());
        return [.. counts.Select(c => c / total)];
    }

    /// <summary>Consecutive slices of at most <paramref name="size"/> of <paramref name="rows"/> (0: all of them).</summary>
    public static IReadOnlyList<T[]> Micro<T>(IReadOnlyList<T> rows, int size) => size <= 0 || size >= rows.Count ? [[.. rows]] : [.. rows.Chunk(size)];
}
