using TorchSharp;
using static TorchSharp.torch;

namespace AkkaRlhf.Models;

/// <summary>Turns token rows of different lengths into padded tensors.</summary>
public static class Batch
{
    /// <summary>
    /// Left-pads rows (for generation: every prompt ends at the last column) ->
    /// input_ids (B, T) int64 and attention_mask (B, T) int64 (1 = real token).
    /// </summary>
    public static (Tensor input_ids, Tensor attention_mask) LeftPad(IReadOnlyList<IReadOnlyList<int>> rows, int pad_id) => Pad(rows, pad_id, left: true);

    /// <summary>Right-pads rows (for training and scoring) -> input_ids (B, T) int64 and attention_mask (B, T) int64.</summary>
    public static (Tensor input_ids, Tensor attention_mask) RightPad(IReadOnlyList<IReadOnlyList<int>> rows, int pad_id) => Pad(rows, pad_id, left: false);

    private static (Tensor, Tensor) Pad(IReadOnlyList<IReadOnlyList<int>> rows, int pad, bool left)
    {
        if (rows.Count == 0) throw new ArgumentException("a batch needs at least one row");
        var T = rows.Max(r => r.Count);
        var ids = new long[rows.Count * T];
        var mask = new long[rows.Count * T];
        for (var b = 0; b < rows.Count; b++)
        {
            var offset = left ? T - rows[b].Count : 0;
            for (var j = 0; j < T; j++)
            {
                var k = j - offset;
                var real = k >= 0 && k < rows[b].Count;
                ids[b * T + j] = real ? rows[b][k] : pad;
                mask[b * T + j] = real ? 1 : 0;
            }
        }
        return (torch.tensor(ids, [rows.Count, T]), torch.tensor(mask, [rows.Count, T]));
    }
}
