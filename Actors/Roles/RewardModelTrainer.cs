using AkkaRlhf.Actors.Messages;
using AkkaRlhf.Actors.Pipeline;
using AkkaRlhf.Models;
using AkkaRlhf.Models.Data;
using AkkaRlhf.Models.Losses;
using AkkaRlhf.Models.Training;
using Akka.Actor;
using TorchSharp;
using TorchSharp.Modules;
using static AkkaRlhf.Models.Scalars;
using static TorchSharp.torch;

namespace AkkaRlhf.Actors.Roles;

/// <summary>
/// Stage 2, the reward model r_phi: pairwise Bradley-Terry, L = -log sigma(r_w - r_l - margin), or,
/// with <c>listwise</c>, L = -log softmax_i(R(x, y_i))[best] over each prompt's K_n candidates (seed 004; a batch is
/// padded to its largest K_n with a candidate mask, so the padding is in neither the softmax nor the accuracy). At the end
/// it reports the held-out pairwise accuracy and the mean and std of the held-out scores (PPO may
/// normalise rewards with them). Trains <paramref name="model"/> in place.
/// </summary>
public sealed class RewardModelTrainer : OfflineStage
{
    private readonly GptReward _model;
    private readonly RewardModelSettings _settings;
    private readonly int _padId;
    private readonly DatasetIterator<TokenPreference>? _pairs;
    private readonly DatasetIterator<TokenRanking>? _rankings;
    private readonly IReadOnlyList<TokenPreference> _heldOut;
    private readonly (AdamW Optimizer, CosineSchedule Schedule) _optim;

    public static Props Props(GptReward model, IReadOnlyList<TokenPreference> pairs, IReadOnlyList<TokenRanking>? rankings,
        IReadOnlyList<TokenPreference> heldOut, RewardModelSettings settings, int padId, IProgressReporter progress, long seed) =>
        Akka.Actor.Props.Create(() => new RewardModelTrainer(model, pairs, rankings, heldOut, settings, padId, progress, seed, Devices.Parse(settings.Device)));

    public RewardModelTrainer(GptReward model, IReadOnlyList<TokenPreference> pairs, IReadOnlyList<TokenRanking>? rankings,
        IReadOnlyList<TokenPreference> heldOut, RewardModelSettings settings, int padId, IProgressReporter progress, long seed, Device device)
        : base("rm", progress, device)
    {
        _model = ModelCopies.On(model, device);
        (_settings, _padId, _heldOut) = (settings, padId, heldOut);
        if (settings.Listwise)
            _rankings = new DatasetIterator<TokenRanking>(rankings ?? throw new ArgumentException("listwise reward training needs ranking data"), settings.BatchSize, seed);
        else _pairs = new DatasetIterator<TokenPreference>(pairs, settings.BatchSize, seed);
        _optim = Optimizers.Create(model, settings.Optim, settings.Steps);
    }

    protected override IReadOnlyDictionary<string, double> Step(int step)
    {
        using var scope = torch.NewDisposeScope();
        _model.train();
        var accuracy = 0.0;                                                           // row means, weighted over the micro-batches
        StepStats stats;
        if (_pairs is not null)
        {
            var rows = _pairs.Next();
            var parts = Minibatches.Micro(rows, _settings.Optim.MicroBatchSize);
            stats = TrainStep.Run(parts.Select(part => (Func<Tensor>)(() =>
            {
                var weight = parts.Count == 1 ? 1 : (double)part.Length / rows.Count;
                var chosen = Score(part.Select(r => r.Prompt).ToList(), part.Select(r => r.Chosen).ToList());
                var rejected = Score(part.Select(r => r.Prompt).ToList(), part.Select(r => r.Rejected).ToList());
                accuracy += weight * RewardLosses.PairwiseAccuracy(chosen.detach(), rejected.detach());
                return TrainStep.Share(RewardLosses.BradleyTerry(chosen, rejected, _settings.Margin), weight);
            })), _optim.Optimizer, _settings.Optim.MaxGradNorm, _optim.Schedule, step - 1);
        }
        else
        {
            var rows = _rankings!.Next();
            var parts = Minibatches.Micro(rows, _settings.Optim.MicroBatchSize);
            stats = TrainStep.Run(parts.Select(part => (Func<Tensor>)(() =>
            {
                var weight = parts.Count == 1 ? 1 : (double)part.Length / rows.Count;
                var (scores, valid) = ListwiseScores(part);                           // (B, K), K = the part's max K_n
                var best = torch.tensor(part.Select(r => (long)r.Best).ToArray(), device: Device);
                using (torch.no_grad())                                               // a padded candidate is never the argmax
                    accuracy += weight * scores.masked_fill(valid.logical_not(), NegativeInfinity).argmax(1).eq(best).to(ScalarType.Float32).mean().ToDouble();
                return TrainStep.Share(RewardLosses.Listwise(scores, best, valid), weight);
            })), _optim.Optimizer, _settings.Optim.MaxGradNorm, _optim.Schedule, step - 1);
        }
        return new Dictionary<string, double> { ["loss"] = stats.Loss, ["accuracy"] = accuracy, ["lr"] = stats.LearningRate };
    }

    protected override IReadOnlyDictionary<string, double> Summarize()
    {
        _model.eval();
        var (accuracy, mean, std) = Evaluate(_model, _heldOut, _padId, Device);
        return new Dictionary<string, double> { ["heldout_accuracy"] = accuracy, ["reward_mean"] = mean, ["reward_std"] = std };
    }

    /// <summary>Held-out pairwise accuracy of <paramref name="model"/> and the mean and std of every held-out score.</summary>
    public static (double Accuracy, double Mean, double Std) Evaluate(GptReward model, IReadOnlyList<TokenPreference> pairs, int padId, Device device)
    {
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var (chosen, rejected) = (new List<Tensor>(), new List<Tensor>());
        foreach (var chunk in pairs.Chunk(256))
        {
            var prompts = chunk.Select(r => r.Prompt).ToList();
            chosen.Add(Scoring.Rewards(model, TokenizedData.Batch(prompts, chunk.Select(r => r.Chosen).ToList(), padId).To(device)));
            rejected.Add(Scoring.Rewards(model, TokenizedData.Batch(prompts, chunk.Select(r => r.Rejected).ToList(), padId).To(device)));
        }
        var (w, l) = (torch.cat(chosen), torch.cat(rejected));
        var all = torch.cat([w, l]);
        return (RewardLosses.PairwiseAccuracy(w, l), all.mean().ToDouble(), all.std().ToDouble());
    }

    /// <summary>
    /// The scores of every row's K_n candidates, padded to the batch's max K, and the (B, K) candidate mask (false on
    /// the padding, which <see cref="RewardLosses.Listwise"/> leaves out of the softmax). Only real candidates are scored.
    /// </summary>
    private (Tensor Scores, Tensor Valid) ListwiseScores(IReadOnlyList<TokenRanking> rows)
    {
        var K = rows.Max(r => r.Responses.Length);
        foreach (var r in rows)
            if (r.Best < 0 || r.Best >= r.Responses.Length)
                throw new ArgumentException($"a ranking's best index {r.Best} is outside its {r.Responses.Length} responses");
        var flat = Score(rows.SelectMany(r => Enumerable.Repeat(r.Prompt, r.Responses.Length)).ToList(), rows.SelectMany(r => r.Responses).ToList());   // (sum K_n)
        var (slots, valid, offset) = (new long[rows.Count * K], new bool[rows.Count * K], 0);
        for (var n = 0; n < rows.Count; n++)
        {
            for (var i = 0; i < K; i++)
            {
                valid[n * K + i] = i < rows[n].Responses.Length;
                slots[n * K + i] = valid[n * K + i] ? offset + i : flat.shape[0];     // padding reads the appended 0
            }
            offset += rows[n].Responses.Length;
        }
        var scores = torch.cat([flat, flat.new_zeros(1)]).index_select(0, torch.tensor(slots, device: Device))
            .view(rows.Count, K);                                                       // (sum K_n + 1) -> (B, K)
        return (scores, torch.tensor(valid, device: Device).view(rows.Count, K));
    }

    private Tensor Score(IReadOnlyList<int[]> prompts, IReadOnlyList<int[]> responses) =>
        Scoring.Rewards(_model, TokenizedData.Batch(prompts, responses, _padId).To(Device));
}
