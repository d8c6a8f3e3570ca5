using AkkaRlhf.Actors.Messages;
using AkkaRlhf.Actors.Pipeline;
using AkkaRlhf.Models;
using AkkaRlhf.Models.Data;
using AkkaRlhf.Models.Losses;
using AkkaRlhf.Models.Training;
using AkkaRlhf.Runtime;
using AkkaRlhf.Torch;

namespace AkkaRlhf.Actors.Roles;

/// <summary>
/// Offline DPO (seeds 000, 002): the reference log-probs of every pair are asked once from the
/// <c>ReferenceScorer</c> (pi_ref is frozen), then each step minimises the sigmoid / cDPO / IPO loss of
/// z = beta [(log pi(y_w|x) - log pi_ref(y_w|x)) - (log pi(y_l|x) - log pi_ref(y_l|x))].
/// Trains <paramref name="policy"/> in place.
/// </summary>
public sealed class DpoLearner : OfflineStage
{
    private const int ReferenceChunk = 256;
    private readonly GptLM _policy;
    private readonly IReadOnlyList<TokenPreference> _pairs;
    private readonly DpoSettings _settings;
    private readonly int _padId;
    private readonly IActorRef _reference;
    private readonly TimeSpan _askTimeout;
    private readonly DatasetIterator<int> _batches;
    private readonly (AdamW Optimizer, CosineSchedule Schedule) _optim;
    private float[] _refChosen = [], _refRejected = [];
    private double _lastAccuracy, _lastMargin;

    public static Props Props(GptLM policy, IActorRef reference, IReadOnlyList<TokenPreference> pairs, DpoSettings settings, int padId,
        IProgressReporter progress, long seed, TimeSpan? askTimeout = null, string stage = "dpo") =>
        Runtime.Props.CreateBy(() => new DpoLearner(policy, reference, pairs, settings, padId, progress, seed, Device.Parse(settings.Device),
            askTimeout ?? TimeSpan.FromSeconds(120), stage));

    public DpoLearner(GptLM policy, IActorRef reference, IReadOnlyList<TokenPreference> pairs, DpoSettings settings, int padId,
        IProgressReporter progress, long seed, Device device, TimeSpan askTimeout, string stage = "dpo") : base(stage, progress, device)
    {
        _policy = ModelCopies.On(policy, device);
        (_reference, _pairs, _settings, _padId, _askTimeout) = (reference, pairs, settings, padId, askTimeout);
        _batches = new DatasetIterator<int>(Enumerable.Range(0, pairs.Count).ToList(), settings.BatchSize, seed);
        _optim = Optimizers.Create(policy, settings.Optim, settings.Steps);
    }

    /// <summary>log pi_ref(y|x) of every chosen and rejected response, asked once.</summary>
    protected override async Task PrepareAsync()
    {
        var (chosen, rejected) = (new List<float>(), new List<float>());
        long id = 0;
        foreach (var chunk in _pairs.Chunk(ReferenceChunk))
        {
            var prompts = chunk.Select(p => p.Prompt).ToList();
            chosen.AddRange(await SequenceLogProbs(++id, TokenizedData.Batch(prompts, chunk.Select(p => p.Chosen).ToList(), _padId)));
            rejected.AddRange(await SequenceLogProbs(++id, TokenizedData.Batch(prompts, chunk.Select(p => p.Rejected).ToList(), _padId)));
        }
        (_refChosen, _refRejected) = (chosen.ToArray(), rejected.ToArray());
    }

    private async Task<float[]> SequenceLogProbs(long batchId, SequenceBatch batch)
    {
        var reply = await _reference.Ask<ReferenceLogProbs>(new ScoreReference(batchId, batch), _askTimeout);
        using var scope = torch.NewDisposeScope();
        return reply.LogProbs.sum(1).ToArray<float>();
    }

    protected override IReadOnlyDictionary<string, double> Step(int step)
    {
        using var scope = torch.NewDisposeScope();
        _policy.train();
        var rows = _batches.Next();
        var prompts = rows.Select(i => _pairs[i].Prompt).ToList();
        var chosen = TokenizedData.Batch(prompts, rows.Select(i => _pairs[i].Chosen).ToList(), _padId).To(Device);
        var rejected = TokenizedData.Batch(prompts, rows.Select(i => _pairs[i].Rejected).ToList(), _padId).To(Device);
        var policyChosen = Scoring.ResponseLogProbs(_policy, chosen).sum(1);
        var policyRejected = Scoring.ResponseLogProbs(_policy, rejected).sum(1);
        var refChosen = torch.tensor(rows.Select(i => _refChosen[i]).ToArray(), device: Device);
        var refRejected = torch.tensor(rows.Select(i => _refRejected[i]).ToArray(), device: Device);
        var dpo = DpoLosses.Loss(policyChosen, policyRejected, refChosen, refRejected, _settings.Beta, _settings.Loss, _settings.LabelSmoothing);
        var stats = TrainStep.Run(dpo.Loss, _optim.Optimizer, _settings.Optim.MaxGradNorm, _optim.Schedule, step - 1);
        (_lastAccuracy, _lastMargin) = (dpo.Accuracy, dpo.Margin);
        return new Dictionary<string, double> { ["loss"] = stats.Loss, ["reward_accuracy"] = dpo.Accuracy, ["reward_margin"] = dpo.Margin, ["lr"] = stats.LearningRate };
    }

    protected override IReadOnlyDictionary<string, double> Summarize()
    {
        _policy.eval();
        return new Dictionary<string, double> { ["reward_accuracy"] = _lastAccuracy, ["reward_margin"] = _lastMargin };
    }
}
