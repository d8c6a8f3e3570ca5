using AkkaRlhf.Actors.Messages;
using AkkaRlhf.Actors.Roles;
using AkkaRlhf.Models;
using AkkaRlhf.Models.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace AkkaRlhf.Actors.Pipeline;

/// <summary>What a policy produced on held-out prompts: the token rows, its KL to the reference and the reward model's mean score.</summary>
public sealed record PolicyEvaluation(IReadOnlyList<(IReadOnlyList<long> PromptIds, IReadOnlyList<long> ResponseIds)> Rows,
    double KlToReference, double? RewardModelScore);

/// <summary>Samples a policy on held-out prompts (seeded) and measures KL(pi || pi_ref) and the reward model's score.</summary>
public static class Evaluator
{
    public static PolicyEvaluation Evaluate(GptLM policy, GptLM reference, GptReward? reward, IReadOnlyList<string> prompts, ITokenizer tokenizer,
        ChatTemplate template, GeneratorSettings sampling, long seed, int batchSize = 128)
    {
        using var noGrad = torch.no_grad();
        policy.eval();
        reference.eval();
        reward?.eval();
        var rows = new List<(IReadOnlyList<long>, IReadOnlyList<long>)>();
        var (kls, scores) = (new List<double>(), new List<double>());
        var config = new GenerationConfig
        {
            MaxNewTokens = sampling.MaxNewTokens, Temperature = sampling.Temperature, TopK = sampling.TopK,
            EosTokenId = tokenizer.EosId, PadTokenId = tokenizer.PadId,
        };
        var part = 0;
        foreach (var chunk in prompts.Chunk(batchSize))
        {
            using var scope = torch.NewDisposeScope();
            var tokens = chunk.Select(p => (IReadOnlyList<int>)template.EncodePrompt(tokenizer, p)).ToList();
            var (ids, mask) = Batch.LeftPad(tokens, tokenizer.PadId);
            using var g = Sampler.Generate(policy, ids, mask, config with { Seed = RolloutGenerator.SeedOf(seed, -1, part++) });
            var batch = new SequenceBatch(torch.cat([ids, g.tokens], 1), torch.cat([mask, g.mask.to(ScalarType.Int64)], 1), g.mask, (int)ids.size(1));
            var refLp = Scoring.ResponseLogProbs(reference, batch);
            var lp = Scoring.ResponseLogProbs(policy, batch);
            var k1 = Kl.Estimate(lp, refLp, KlEstimator.K1, batch.ActionMask);
            kls.Add(Kl.SequenceMean(k1, batch.ActionMask) * chunk.Length);
            if (reward is not null) scores.Add(Scoring.Rewards(reward, batch).sum().ToDouble());
            for (var b = 0; b < chunk.Length; b++)
            {
                var (p, r) = batch.Row(b);
                rows.Add((p, r));
            }
        }
        return new PolicyEvaluation(rows, kls.Sum() / prompts.Count, reward is null ? null : scores.Sum() / prompts.Count);
    }
}
