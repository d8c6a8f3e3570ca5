using TorchSharp;
using static TorchSharp.torch;
using static AkkaRlhf.Models.Scalars;

namespace AkkaRlhf.Models;

/// <summary>
/// Batched autoregressive generation with left-padded prompts: prefill, then one token per step
/// (KV cache) until MaxNewTokens or every row has emitted EOS. Greedy, temperature, top-k and top-p.
/// </summary>
public static class Sampler
{
    /// <summary>Generates from prompt rows of different lengths (left-padded with PadTokenId).</summary>
    public static Generation Generate(GptLM model, IReadOnlyList<IReadOnlyList<int>> prompts, GenerationConfig config)
    {
        var (ids, mask) = Batch.LeftPad(prompts, config.PadTokenId);
        using (ids) using (mask) return Generate(model, ids, mask, config);
    }

    /// <summary>
    /// input_ids (B, P) left-padded prompts, attention_mask (B, P) 1/0 -> a <see cref="Generation"/>
    /// of (B, N) tokens, log-probs and mask. Runs under no_grad in the model's current mode (call
    /// <c>eval()</c> first for deterministic dropout-free sampling).
    /// </summary>
    public static Generation Generate(GptLM model, Tensor input_ids, Tensor attention_mask, GenerationConfig config)
    {
        config.Validate();
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        using var generator = config.Seed is { } seed ? new Generator(seed) : null;
        var (B, P) = (input_ids.size(0), input_ids.size(1));
        var device = input_ids.device;
        var dtype = model.transformer.wte.weight.dtype;
        using var cache = config.UseCache ? new KvCache(model.config, B, P + config.MaxNewTokens, dtype, device) : null;

        var tokens = new List<Tensor>();
        var logprobs = new List<Tensor>();
        var valid = new List<Tensor>();
        Tensor? finished = config.EosTokenId is null ? null : torch.zeros([B], ScalarType.Bool, device); // (B)
        using var pad = config.PadTokenId.ToScalar();
        using var eos = (config.EosTokenId ?? 0).ToScalar();
        var (seq, seqMask) = (input_ids, attention_mask.to(ScalarType.Int64));
        var logits = LastLogits(model, input_ids, seqMask, cache);                   // (B, V)
        for (var step = 0; step < config.MaxNewTokens; step++)
        {
            var next = Pick(logits, config, generator);                               // (B)
            var logp = LogProbs.Of(logits, next);                                     // (B), temperature-1 policy
            if (finished is null) valid.Add(torch.ones([B], ScalarType.Float32, device));
            else
            {
                var alive = finished.logical_not();
                next = torch.where(alive, next, torch.full_like(next, pad));
                logp = logp * alive.to(logp.dtype);
                valid.Add(alive.to(ScalarType.Float32));
                finished = finished.logical_or(next.eq(eos));
            }
            tokens.Add(next);
            logprobs.Add(logp);
            if (step == config.MaxNewTokens - 1 || (finished is not null && finished.all().item<bool>())) break;

            var column = next.view(B, 1);                                             // (B, 1)
            if (cache is not null) logits = LastLogits(model, column, null, cache);
            else
            {
                seq = torch.cat([seq, column], 1);                                    // (B, P + step + 1)
                seqMask = torch.cat([seqMask, torch.ones([B, 1], ScalarType.Int64, device)], 1);
                logits = LastLogits(model, seq, seqMask, null);
            }
        }
        return new Generation(
            torch.stack(tokens, 1).MoveToOuterDisposeScope(),                        // (B, N)
            torch.stack(logprobs, 1).to(ScalarType.Float32).MoveToOuterDisposeScope(),
            torch.stack(valid, 1).MoveToOuterDisposeScope());
    }

    // Logits of the last position only: the LM head runs on (B, C), not (B, T, C).
    private static Tensor LastLogits(GptLM model, Tensor ids, Tensor? mask, KvCache? cache)
    {
        var hidden = model.transformer.forward(ids, mask, cache);                    // (B, T, C)
        return model.logits(hidden.select(1, hidden.size(1) - 1));                   // (B, V)
    }

    /// <summary>
    /// logits (B, V) -> next tokens (B) int64: argmax when greedy, else a draw from
    /// softmax(filter(logits / temperature)) with <paramref name="generator"/>.
    /// </summary>
    public static Tensor Pick(Tensor logits, GenerationConfig config, Generator? generator = null)
    {
        using var scope = torch.NewDisposeScope();
        if (config.IsGreedy) return logits.argmax(-1).MoveToOuterDisposeScope();
        using var temperature = config.Temperature.ToScalar();
        var x = config.Temperature == 1 ? logits : logits.div(temperature);          // (B, V)
        if (config.TopK > 0) x = TopK(x, config.TopK);
        if (config.TopP < 1) x = TopP(x, config.TopP);
        var probs = x.softmax(-1);                                                    // (B, V)
        return torch.multinomial(probs, 1, generator: generator).squeeze(-1).MoveToOuterDisposeScope();
    }

    /// <summary>Sets every logit below the k-th largest of its row to -inf (k = 0 or k >= V: unchanged).</summary>
    public static Tensor TopK(Tensor logits, int k)
    {
        if (k <= 0 || k >= logits.size(-1)) return logits.clone();
        using var scope = torch.NewDisposeScope();
        var kth = logits.topk(k, -1).values.narrow(-1, k - 1, 1);                    // (B, 1)
        return logits.masked_fill(logits.lt(kth), NegativeInfinity).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Nucleus filter: keeps, per row, the most likely tokens until their probability reaches
    /// <paramref name="p"/> (at least one), sets the others to -inf (p = 1: unchanged).
    /// </summary>
    public static Tensor TopP(Tensor logits, double p)
    {
        if (p >= 1) return logits.clone();
        using var scope = torch.NewDisposeScope();
        var (sorted, order) = logits.sort(-1, descending: true);                     // (B, V)
        var probs = sorted.softmax(-1);
        var before = probs.cumsum(-1) - probs;                                        // mass of the more likely tokens
        using var mass = p.ToScalar();
        var drop = before.ge(mass);                                                   // (B, V) in sorted order
        var dropped = drop.scatter(-1, order, drop);                                  // (B, V) in vocabulary order
        return logits.masked_fill(dropped, NegativeInfinity).MoveToOuterDisposeScope();
    }
}
