using TorchSharp;
using static TorchSharp.torch;

namespace AkkaRlhf.Models;

/// <summary>
/// Keys and values of every layer for incremental decoding, preallocated once as
/// (B, nh, max_length, hs) per layer and filled in place with <c>narrow(...).copy_</c> (no
/// concatenation per step), plus the attention mask of every position written so far.
/// Usage (under <c>torch.no_grad()</c>): prefill with the prompt, then one token at a time:
/// <code>
/// using var cache = new KvCache(model.config, B, P + N, dtype, device);
/// var logits = model.forward(prompt_ids, prompt_mask, cache);   // (B, P, V), cache.length == P
/// logits = model.forward(next_ids, null, cache);                // (B, 1, V), cache.length == P + 1
/// </code>
/// </summary>
public sealed class KvCache : IDisposable
{
    private readonly Tensor mask;   // (B, max_length) int64, 1 = real token

    /// <summary>Per-layer buffers, indexed like <c>Gpt.h</c>.</summary>
    public IReadOnlyList<Layer> layers { get; }

    /// <summary>Positions filled so far (the next token's key index).</summary>
    public long length { get; private set; }

    /// <summary>Rows of the batch.</summary>
    public long batch_size { get; }

    /// <summary>Capacity in positions.</summary>
    public long max_length { get; }

    /// <summary>Allocates a cache for <paramref name="batch_size"/> rows of up to <paramref name="max_length"/> positions.</summary>
    public KvCache(GptConfig config, long batch_size, long max_length, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        if (max_length > config.BlockSize)
            throw new ArgumentException($"KV cache of {max_length} positions exceeds block_size {config.BlockSize}");
        this.batch_size = batch_size;
        this.max_length = max_length;
        var d = device ?? CPU;
        long[] shape = [batch_size, config.NHead, max_length, config.HeadSize];      // (B, nh, T_max, hs)
        layers = Enumerable.Range(0, config.NLayer).Select(_ => new Layer(this,
            torch.zeros(shape, dtype, d).DetachFromDisposeScope(),
            torch.zeros(shape, dtype, d).DetachFromDisposeScope())).ToList();
        mask = torch.zeros([batch_size, max_length], ScalarType.Int64, d).DetachFromDisposeScope();
    }

    /// <summary>Writes the mask of T new positions; returns the mask of every position so far, (B, length + T).</summary>
    internal Tensor AppendMask(Tensor newMask)
    {
        var T = newMask.size(1);
        CheckRoom(newMask.size(0), T);
        mask.narrow(1, length, T).copy_(newMask);
        return mask.narrow(1, 0, length + T);
    }

    /// <summary>Commits T positions written by every layer.</summary>
    internal void Advance(long T) => length += T;

    /// <summary>Forgets every position (the buffers are reused).</summary>
    public void reset() => length = 0;

    private void CheckRoom(long B, long T)
    {
        if (B != batch_size) throw new ArgumentException($"KV cache holds {batch_size} rows, got a batch of {B}");
        if (length + T > max_length)
            throw new ArgumentException($"KV cache is full: {length} + {T} positions exceed its capacity of {max_length}");
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var l in layers) { l.keys.Dispose(); l.values.Dispose(); }
        mask.Dispose();
    }

    /// <summary>One layer's key and value buffers, (B, nh, max_length, hs).</summary>
    public sealed class Layer(KvCache owner, Tensor keys, Tensor values)
    {
        public Tensor keys { get; } = keys;
        public Tensor values { get; } = values;

        /// <summary>Writes k, v (B, nh, T, hs) at the cache's length; returns every cached key and value, (B, nh, length + T, hs).</summary>
        public (Tensor k, Tensor v) Append(Tensor k, Tensor v)
        {
            var (start, T) = (owner.length, k.size(2));
            keys.narrow(2, start, T).copy_(k);
            values.narrow(2, start, T).copy_(v);
            return (keys.narrow(2, 0, start + T), values.narrow(2, 0, start + T));
        }
    }
}
