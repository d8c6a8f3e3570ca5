using System.Text.Json.Serialization;
using TorchSharp;
using static AkkaRlhf.Models.Scalars;
using static TorchSharp.torch;

namespace AkkaRlhf.Actors.Messages;

/// <summary>
/// B prompt + response sequences, the unit every role works on. Layout: the prompt is left-padded to
/// <paramref name="PromptLength"/> columns, the response follows (right-padded after its EOS), so
/// response token j of every row sits at column PromptLength + j.
/// </summary>
/// <param name="Sequences">(B, P + N) int64 token ids.</param>
/// <param name="AttentionMask">(B, P + N) int64, 1 for real tokens (prompt and response).</param>
/// <param name="ActionMask">(B, N) float32, 1 for valid response tokens (EOS included).</param>
/// <param name="PromptLength">P, the number of prompt columns.</param>
public sealed record SequenceBatch(Tensor Sequences, Tensor AttentionMask, Tensor ActionMask, int PromptLength)
{
    /// <summary>B, the number of rows.</summary>
    [JsonIgnore] public int Count => (int)Sequences.size(0);

    /// <summary>N, the number of response columns.</summary>
    [JsonIgnore] public int ResponseLength => (int)ActionMask.size(1);

    /// <summary>The same batch on <paramref name="device"/> (the tensors themselves when already there).</summary>
    public SequenceBatch To(Device device) =>
        Sequences.device == device ? this : new(Sequences.to(device), AttentionMask.to(device), ActionMask.to(device), PromptLength);

    /// <summary>Rows <paramref name="rows"/> (a minibatch), as a new batch.</summary>
    public SequenceBatch Rows(Tensor rows) =>
        new(Sequences.index_select(0, rows), AttentionMask.index_select(0, rows), ActionMask.index_select(0, rows), PromptLength);

    /// <summary>
    /// The response-aligned part of a per-position tensor computed over <see cref="Sequences"/>:
    /// (B, P + N - 1) shifted log-probs, or (B, P + N) values read before each token -> (B, N).
    /// Column P - 1 + j predicts (or values the state before) response token j.
    /// </summary>
    public Tensor ResponseColumns(Tensor perPosition) => perPosition.narrow(1, PromptLength - 1, ResponseLength);

    /// <summary>Prompt ids and response ids (the response up to, and including, its EOS) of row <paramref name="b"/>.</summary>
    public (long[] Prompt, long[] Response) Row(int b)
    {
        using var scope = torch.NewDisposeScope();
        var ids = Sequences.select(0, b).cpu().data<long>().ToArray();
        var mask = AttentionMask.select(0, b).cpu().data<long>().ToArray();
        var n = (int)ActionMask.select(0, b).sum().ToDouble();
        var prompt = ids[..PromptLength].Where((_, i) => mask[i] != 0).ToArray();
        return (prompt, ids[PromptLength..(PromptLength + n)]);
    }

    /// <summary>
    /// Builds a batch from token rows: prompts left-padded, responses right-padded (each response
    /// already ends with EOS if it should).
    /// </summary>
    public static SequenceBatch From(IReadOnlyList<IReadOnlyList<int>> prompts, IReadOnlyList<IReadOnlyList<int>> responses, int padId)
    {
        if (prompts.Count != responses.Count) throw new ArgumentException($"{prompts.Count} prompts but {responses.Count} responses");
        if (prompts.Count == 0) throw new ArgumentException("a batch needs at least one row");
        var (B, P, N) = (prompts.Count, Math.Max(1, prompts.Max(p => p.Count)), Math.Max(1, responses.Max(r => r.Count)));
        var ids = new long[B * (P + N)];
        var attention = new long[B * (P + N)];
        var action = new float[B * N];
        Array.Fill(ids, padId);
        for (var b = 0; b < B; b++)
        {
            var (p, r) = (prompts[b], responses[b]);
            var row = b * (P + N);
            for (var j = 0; j < p.Count; j++) (ids[row + P - p.Count + j], attention[row + P - p.Count + j]) = (p[j], 1);
            for (var j = 0; j < r.Count; j++) (ids[row + P + j], attention[row + P + j], action[b * N + j]) = (r[j], 1, 1f);
        }
        return new SequenceBatch(torch.tensor(ids, [B, P + N]), torch.tensor(attention, [B, P + N]), torch.tensor(action, [B, N]), P);
    }

    /// <summary>
    /// Joins batches (e.g. the parts several generators produced) into one: prompts re-padded on the
    /// left to the longest prompt, responses on the right to the longest response.
    /// </summary>
    public static SequenceBatch Concat(IReadOnlyList<SequenceBatch> parts, int padId)
    {
        if (parts.Count == 1) return parts[0];
        var P = parts.Max(p => p.PromptLength);
        var N = parts.Max(p => p.ResponseLength);
        using var scope = torch.NewDisposeScope();
        using var pad = padId.ToScalar();
        var (ids, attention, action) = (new List<Tensor>(), new List<Tensor>(), new List<Tensor>());
        foreach (var part in parts)
        {
            var (B, left, right) = (part.Count, P - part.PromptLength, N - part.ResponseLength);
            var device = part.Sequences.device;
            Tensor Pad(Tensor t, long width, Scalar value, bool before) => width == 0 ? t
                : before ? torch.cat([torch.full([B, width], value, t.dtype, device), t], 1)
                         : torch.cat([t, torch.full([B, width], value, t.dtype, device)], 1);
            ids.Add(Pad(Pad(part.Sequences, left, pad, true), right, pad, false));
            attention.Add(Pad(Pad(part.AttentionMask, left, Zero, true), right, Zero, false));
            action.Add(Pad(part.ActionMask, right, Zero, false));
        }
        return new SequenceBatch(torch.cat(ids).DetachFromDisposeScope(), torch.cat(attention).DetachFromDisposeScope(),
            torch.cat(action).DetachFromDisposeScope(), P);
    }

    /// <summary>Joins per-part (B_i, N_i) response-aligned tensors, right-padding each to N columns with 0.</summary>
    public static Tensor ConcatResponses(IReadOnlyList<Tensor> parts, int N)
    {
        if (parts.Count == 1) return parts[0];
        using var scope = torch.NewDisposeScope();
        var padded = parts.Select(t => t.size(1) == N ? t
            : torch.cat([t, torch.zeros([t.size(0), N - t.size(1)], t.dtype, t.device)], 1)).ToList();
        return torch.cat(padded).DetachFromDisposeScope();
    }
}
