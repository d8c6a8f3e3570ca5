namespace AkkaRlhf.Models.Data;

/// <summary>
/// A small, fully specified pseudo-random generator (xoshiro256**, seeded with SplitMix64), so that
/// shuffles, batches and synthetic data are identical on every platform and .NET version
/// (<see cref="System.Random"/> makes no such promise).
/// </summary>
public sealed class SeededRandom
{
    private ulong _s0, _s1, _s2, _s3;

    /// <summary>A generator for <paramref name="seed"/> and an optional stream number (e.g. an epoch or a split).</summary>
    public SeededRandom(long seed, long stream = 0)
    {
        var x = unchecked((ulong)seed ^ ((ulong)stream * 0x9E3779B97F4A7C15UL) ^ 0xD1B54A32D192ED03UL);
        _s0 = SplitMix(ref x);
        _s1 = SplitMix(ref x);
        _s2 = SplitMix(ref x);
        _s3 = SplitMix(ref x);
    }

    /// <summary>The generator's full state (four words), to resume it exactly with <see cref="SetState"/>.</summary>
    public ulong[] GetState() => [_s0, _s1, _s2, _s3];

    /// <summary>Restores a state from <see cref="GetState"/>.</summary>
    public void SetState(IReadOnlyList<ulong> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Count != 4) throw new ArgumentException("a SeededRandom state has four words", nameof(state));
        (_s0, _s1, _s2, _s3) = (state[0], state[1], state[2], state[3]);
    }

    private static ulong SplitMix(ref ulong x)
    {
        unchecked
        {
            x += 0x9E3779B97F4A7C15UL;
            var z = x;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }

    private static ulong Rotl(ulong x, int k) => (x << k) | (x >> (64 - k));

    /// <summary>Next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        unchecked
        {
            var result = Rotl(_s1 * 5, 7) * 9;
            var t = _s1 << 17;
            _s2 ^= _s0;
            _s3 ^= _s1;
            _s1 ^= _s2;
            _s0 ^= _s3;
            _s2 ^= t;
            _s3 = Rotl(_s3, 45);
            return result;
        }
    }

    /// <summary>Uniform integer in [0, <paramref name="maxExclusive"/>), without modulo bias.</summary>
    public int NextInt(int maxExclusive)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxExclusive);
        var bound = (ulong)maxExclusive;
        var limit = ulong.MaxValue - ulong.MaxValue % bound;
        ulong r;
        do r = NextUInt64(); while (r >= limit);
        return (int)(r % bound);
    }

    /// <summary>Uniform double in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>True with probability <paramref name="p"/>.</summary>
    public bool NextBool(double p = 0.5) => NextDouble() < p;

    /// <summary>An element of <paramref name="items"/>, uniformly.</summary>
    public T Pick<T>(IReadOnlyList<T> items) => items[NextInt(items.Count)];

    /// <summary>An index drawn with probability proportional to <paramref name="weights"/> (non-negative, not all zero).</summary>
    public int PickWeighted(IReadOnlyList<double> weights)
    {
        var total = 0.0;
        foreach (var w in weights)
        {
            if (w < 0 || double.IsNaN(w)) throw new ArgumentException("weights must be non-negative", nameof(weights));
            total += w;
        }
        if (total <= 0) throw new ArgumentException("weights must not all be zero", nameof(weights));
        var u = NextDouble() * total;
        for (var i = 0; i < weights.Count; i++)
        {
            u -= weights[i];
            if (u < 0) return i;
        }
        for (var i = weights.Count - 1; i >= 0; i--) if (weights[i] > 0) return i;
        return weights.Count - 1;
    }

    /// <summary>Fisher-Yates shuffle in place.</summary>
    public void Shuffle<T>(IList<T> items)
    {
        for (var i = items.Count - 1; i > 0; i--)
        {
            var j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    /// <summary>A random permutation of 0..<paramref name="count"/>-1.</summary>
    public int[] Permutation(int count)
    {
        var p = new int[count];
        for (var i = 0; i < count; i++) p[i] = i;
        Shuffle(p);
        return p;
    }
}
