namespace AkkaRlhf.Cluster.Tests;

public sealed class WeightAssemblerSpecs
{
    private readonly List<string> _warnings = [];

    private static (WeightChunk Header, byte[] Bytes)[] Chunks(string name, long version, byte[] data, int size, string? sha = null)
    {
        var count = (data.Length + size - 1) / size;
        return Enumerable.Range(0, count)
            .Select(i => (new WeightChunk(name, version, i, count, data.Length, sha ?? WeightAssembler.Hash(data)), data.Skip(i * size).Take(size).ToArray()))
            .ToArray();
    }

    [Fact]
    public void Chunks_in_any_order_and_repeated_complete_the_version_exactly_once()
    {
        var data = Enumerable.Range(0, 1000).Select(i => (byte)i).ToArray();
        var assembler = new WeightAssembler(_warnings.Add);
        var chunks = Chunks("policy", 3, data, 64).Reverse().ToArray();
        var results = chunks.Concat(chunks).Select(c => assembler.Add(c.Header, c.Bytes)).Where(r => r is not null).ToList();
        var done = Assert.Single(results)!;
        Assert.Equal(data, done.Data);
        Assert.Equal(3, assembler.AppliedVersion("policy"));
    }

    [Fact]
    public void A_version_whose_hash_does_not_match_is_rejected_with_a_warning()
    {
        var data = new byte[100];
        var assembler = new WeightAssembler(_warnings.Add);
        var results = Chunks("policy", 1, data, 30, sha: new string('0', 64)).Select(c => assembler.Add(c.Header, c.Bytes)).ToList();
        Assert.All(results, Assert.Null);
        Assert.Contains(_warnings, w => w.Contains("does not match"));
        Assert.Equal(-1, assembler.AppliedVersion("policy"));
    }

    [Fact]
    public void An_older_or_equal_version_arriving_after_a_newer_one_is_not_applied()
    {
        var assembler = new WeightAssembler(_warnings.Add);
        foreach (var c in Chunks("policy", 5, [1, 2, 3], 2)) assembler.Add(c.Header, c.Bytes);
        Assert.All(Chunks("policy", 4, [9, 9], 2).Concat(Chunks("policy", 5, [7], 2)), c => Assert.Null(assembler.Add(c.Header, c.Bytes)));
        Assert.Equal(5, assembler.AppliedVersion("policy"));
        Assert.NotNull(assembler.Add(Chunks("value", 1, [1], 2)[0].Header, [1]));
    }
}
