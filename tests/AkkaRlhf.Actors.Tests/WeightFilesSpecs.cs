using System.Security.Cryptography;
using AkkaRlhf.Actors.Cluster;
using static TorchSharp.torch;

namespace AkkaRlhf.Actors.Tests;

/// <summary>Policy weights as files and buffers (<see cref="WeightFiles"/>): bit-exact round trips, hashes that check the bytes.</summary>
public sealed class WeightFilesSpecs : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "akka-rlhf-weights-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private static Dictionary<string, Tensor> State()
    {
        var g = new Generator(3);
        return new()
        {
            ["h.0.attn.c_attn.weight"] = randn([16, 48], generator: g),
            ["h.0.ln_1.bias"] = randn([16], generator: g).to(ScalarType.Float64),
            ["wte.weight"] = randn([11, 16], generator: g).to(ScalarType.BFloat16),
        };
    }

    private static void AssertSame(Dictionary<string, Tensor> expected, Dictionary<string, Tensor> actual)
    {
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (name, t) in expected)
        {
            Assert.Equal(t.dtype, actual[name].dtype);
            Assert.Equal(t.shape, actual[name].shape);
            Assert.Equal(t.bytes.ToArray(), actual[name].bytes.ToArray());
        }
    }

    [Fact]
    public void A_file_must_read_back_bit_for_bit_and_its_hash_must_be_the_sha256_of_its_bytes()
    {
        var state = State();
        var path = Path.Combine(_dir, "policy-v1.safetensors");
        var sha = WeightFiles.WriteWhole(path, state);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path))), sha);
        Assert.Equal([path], Directory.GetFiles(_dir));                                    // the temporary name is gone
        AssertSame(state, WeightFiles.ReadVerified(path, sha));
    }

    [Fact]
    public void A_file_whose_bytes_changed_must_be_refused_naming_the_hash()
    {
        var path = Path.Combine(_dir, "policy-v2.safetensors");
        var sha = WeightFiles.WriteWhole(path, State());
        var bytes = File.ReadAllBytes(path);
        bytes[^5] ^= 0x40;                                                                  // one bit of the last tensor's data
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<InvalidDataException>(() => WeightFiles.ReadVerified(path, sha));
        Assert.Contains("sha256", e.Message);
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void Bytes_written_into_a_reused_buffer_must_equal_the_file_and_read_back_bit_for_bit()
    {
        var state = State();
        var path = Path.Combine(_dir, "policy-v3.safetensors");
        WeightFiles.WriteWhole(path, state);
        var file = File.ReadAllBytes(path);

        var (fresh, length) = WeightFiles.WriteInto(null, state);
        Assert.Equal(file, fresh.AsSpan(0, (int)length).ToArray());
        var used = Enumerable.Repeat((byte)0xAB, fresh.Length + 100).ToArray();            // a bigger buffer holding an older version
        var (reused, again) = WeightFiles.WriteInto(used, state);
        Assert.Same(used, reused);
        Assert.Equal(file, reused.AsSpan(0, (int)again).ToArray());
        AssertSame(state, WeightFiles.StateOf(reused, again));
        Assert.NotSame(used, WeightFiles.WriteInto(new byte[16], state).Buffer);              // too small: a new one
    }

    [Fact]
    public void Short_names_and_many_small_tensors_must_fit_the_buffer_written_into()
    {
        var state = Enumerable.Range(0, 300).ToDictionary(i => ((char)('a' + i % 26)).ToString() + i, i => ones(1, 1, 1, i % 3 + 1));
        var (buffer, length) = WeightFiles.WriteInto(null, state);
        var back = WeightFiles.StateOf(buffer, length);
        AssertSame(state, back);
    }

    [Fact]
    public void Bytes_that_are_not_safetensors_must_be_refused()
    {
        var e = Assert.Throws<InvalidDataException>(() => WeightFiles.StateOf([8, 0, 0, 0, 0, 0, 0, 0, (byte)'{', (byte)'x'], 10));
        Assert.Contains("safetensors", e.Message);
    }
}
