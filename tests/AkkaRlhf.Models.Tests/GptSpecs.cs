using AkkaRlhf.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace AkkaRlhf.Models.Tests;

public class GptSpecs
{
    [Fact]
    public void Kv_cache_decoding_must_equal_full_recomputation_under_left_padding()
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        using var g = new Generator(1);
        using var model = new GptLM(Tiny.Config, g);
        model.eval();
        model.to(ScalarType.Float64);
        var (ids, mask) = Tiny.LeftPad([[5, 6, 7, 8, 9], [3, 4], [11, 12, 13]]);
        var extra = torch.randint(1, Tiny.Config.VocabSize, [3, 4], generator: g);   // four decoded tokens per row

        using var cache = new KvCache(Tiny.Config, 3, 9, ScalarType.Float64);
        var steps = new List<Tensor> { model.forward(ids, mask, cache).narrow(1, 4, 1) };
        for (var t = 0; t < 4; t++) steps.Add(model.forward(extra.narrow(1, t, 1), null, cache));
        Assert.Equal(9, cache.length);

        var fullIds = torch.cat([ids, extra], 1);                                     // (B, 9)
        var fullMask = torch.cat([mask, torch.ones([3, 4], ScalarType.Int64)], 1);
        var full = model.forward(fullIds, fullMask).narrow(1, 4, 5);                  // (B, 5, V)
        Tiny.AllClose(full, torch.cat(steps, 1), 1e-10);
    }

    [Fact]
    public void Left_padding_must_not_change_the_logits_of_real_tokens()
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        using var g = new Generator(2);
        using var model = new GptLM(Tiny.Config, g);
        model.eval();
        model.to(ScalarType.Float64);
        var alone = model.forward(torch.tensor(new long[] { 3, 4, 5 }, [1, 3]));
        var (ids, mask) = Tiny.LeftPad([[1, 2, 3, 4, 5, 6], [3, 4, 5]]);
        var padded = model.forward(ids, mask).narrow(0, 1, 1).narrow(1, 3, 3);
        Tiny.AllClose(alone, padded, 1e-10);
    }
}
