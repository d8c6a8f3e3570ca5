using AkkaRlhf.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace AkkaRlhf.Models.Tests;

public class SamplerSpecs
{
    private static readonly int[][] Prompts = [[5, 6, 7, 8], [3], [11, 12]];

    private static GptLM Model(ulong seed)
    {
        using var g = new Generator(seed);
        var m = new GptLM(Tiny.Config, g);
        m.eval();
        return m;
    }

    [Fact]
    public void Sampling_with_a_fixed_seed_must_be_reproducible()
    {
        using var model = Model(3);
        var config = new GenerationConfig { MaxNewTokens = 8, Temperature = 1.3, Seed = 42 };
        using var a = Sampler.Generate(model, Prompts, config);
        using var b = Sampler.Generate(model, Prompts, config);
        using var c = Sampler.Generate(model, Prompts, config with { Seed = 43 });
        Assert.Equal(a.tokens.data<long>().ToArray(), b.tokens.data<long>().ToArray());
        Assert.Equal(a.logprobs.data<float>().ToArray(), b.logprobs.data<float>().ToArray());
        Assert.NotEqual(a.tokens.data<long>().ToArray(), c.tokens.data<long>().ToArray());
    }

    [Fact]
    public void Top_k_must_never_emit_a_token_outside_the_k_largest()
    {
        using var scope = torch.NewDisposeScope();
        using var g = new Generator(5);
        var logits = torch.tensor(new float[] { 0, 3, 1, 2.9f, -1, 2.8f, 0.5f, 0, 0, 0 }, [1, 10]).expand(4, 10);
        var config = new GenerationConfig { TopK = 3, Temperature = 2 };
        var seen = new HashSet<long>();
        for (var i = 0; i < 100; i++) seen.UnionWith(Sampler.Pick(logits, config, g).data<long>().ToArray());
        Assert.Equal([1L, 3L, 5L], seen.Order());
    }

    [Fact]
    public void Top_p_must_never_emit_a_token_outside_the_nucleus()
    {
        using var scope = torch.NewDisposeScope();
        using var g = new Generator(6);
        // probabilities 0.5, 0.3, 0.1, 0.05, 0.05: the nucleus of p = 0.75 is {0.5, 0.3} (tokens 2 and 0).
        var probs = torch.tensor(new double[] { 0.3, 0.05, 0.5, 0.1, 0.05 }, [1, 5]).expand(4, 5);
        var config = new GenerationConfig { TopP = 0.75 };
        var seen = new HashSet<long>();
        for (var i = 0; i < 100; i++) seen.UnionWith(Sampler.Pick(probs.log(), config, g).data<long>().ToArray());
        Assert.Equal([0L, 2L], seen.Order());
    }

    [Fact]
    public void Greedy_must_equal_argmax_with_and_without_the_kv_cache()
    {
        using var scope = torch.NewDisposeScope();
        using var model = Model(4);
        var config = new GenerationConfig { MaxNewTokens = 6, DoSample = false };
        using var cached = Sampler.Generate(model, Prompts, config);
        using var recomputed = Sampler.Generate(model, Prompts, config with { UseCache = false });
        Assert.Equal(recomputed.tokens.data<long>().ToArray(), cached.tokens.data<long>().ToArray());

        // step by step: every token is the argmax of the full forward pass over the prefix
        for (var b = 0; b < Prompts.Length; b++)
        {
            var seq = Prompts[b].Select(x => (long)x).ToList();
            foreach (var token in cached.Row(b))
            {
                using var noGrad = torch.no_grad();
                var logits = model.forward(torch.tensor(seq.ToArray(), [1, seq.Count]));
                Assert.Equal(logits.select(1, seq.Count - 1).argmax(-1).ToInt64(), token);
                seq.Add(token);
            }
        }
        Assert.Equal(torch.tensor(new float[] { 1, 0 }).argmax(0).ToInt64(),
            Sampler.Pick(torch.tensor(new float[] { 1, 0 }, [1, 2]), config).ToInt64());
    }

    [Fact]
    public void Eos_must_stop_a_row_and_pad_after_it()
    {
        using var scope = torch.NewDisposeScope();
        using var model = Model(7);
        var config = new GenerationConfig { MaxNewTokens = 6, DoSample = false, PadTokenId = 0 };
        using var free = Sampler.Generate(model, Prompts, config);
        var row0 = free.tokens.select(0, 0).data<long>().ToArray();
        var eos = (int)row0[2];
        var stop = Array.IndexOf(row0, (long)eos);                                   // first EOS of row 0

        using var run = Sampler.Generate(model, Prompts, config with { EosTokenId = eos });
        var tokens = run.tokens.select(0, 0).data<long>().ToArray();
        var mask = run.mask.select(0, 0).data<float>().ToArray();
        var logp = run.logprobs.select(0, 0).data<float>().ToArray();
        Assert.Equal(row0[..(stop + 1)], tokens[..(stop + 1)]);
        Assert.All(tokens[(stop + 1)..], t => Assert.Equal(0L, t));
        Assert.All(mask[..(stop + 1)], m => Assert.Equal(1f, m));
        Assert.All(mask[(stop + 1)..], m => Assert.Equal(0f, m));
        Assert.All(logp[(stop + 1)..], l => Assert.Equal(0f, l));
        Assert.Equal(stop + 1, run.Row(0).Length);
    }

    [Fact]
    public void Returned_logprobs_must_equal_log_softmax_of_the_logits_at_the_sampled_tokens()
    {
        using var scope = torch.NewDisposeScope();
        using var model = Model(8);
        var config = new GenerationConfig { MaxNewTokens = 5, Temperature = 0.7, TopK = 10, Seed = 1, EosTokenId = 2 };
        using var run = Sampler.Generate(model, Prompts, config);
        var (ids, mask) = Batch.LeftPad(Prompts, 0);
        var P = ids.size(1);
        var N = run.tokens.size(1);
        var full = torch.cat([ids, run.tokens], 1);                                  // (B, P + N)
        var fullMask = torch.cat([mask, run.mask.to(ScalarType.Int64)], 1);
        using var noGrad = torch.no_grad();
        var logits = model.forward(full, fullMask);                                  // (B, P + N, V)
        var expected = LogProbs.Shifted(logits, full).narrow(1, P - 1, N) * run.mask; // (B, N)
        Tiny.AllClose(expected, run.logprobs, 1e-5);
        var manual = logits.log_softmax(-1).narrow(1, P - 1, N).gather(-1, run.tokens.unsqueeze(-1)).squeeze(-1) * run.mask;
        Tiny.AllClose(manual, run.logprobs, 1e-5);
    }
}

[Collection("GlobalRng")]   // runs alone: counts the live tensors of this thread
public class SamplerLeakSpecs
{
    [Fact]
    public void Generation_and_cached_decoding_must_not_leak_native_tensors()
    {
        using var g = new Generator(1);
        using var model = new GptLM(Tiny.Config, g);
        model.eval();
        int[][] prompts = [[1, 2, 3], [4]];
        var config = new GenerationConfig { MaxNewTokens = 5, Seed = 3, EosTokenId = 7, TopK = 5, TopP = 0.9 };
        using (Sampler.Generate(model, prompts, config)) { }                         // warm-up
        GC.Collect();                                                                 // finalize earlier garbage now,
        GC.WaitForPendingFinalizers();                                                // not in the middle of the count
        var before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        using (Sampler.Generate(model, prompts, config)) { }
        using (Sampler.Generate(model, prompts, config with { UseCache = false })) { }
        Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }
}
