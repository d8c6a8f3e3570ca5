using AkkaRlhf.Actors.Messages;
using AkkaRlhf.Actors.Pipeline;
using AkkaRlhf.Models;
using AkkaRlhf.Models.Data;
using AkkaRlhf.Models.Losses;
using AkkaRlhf.Models.Training;
using Akka.Actor;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AkkaRlhf.Actors.Roles;

/// <summary>
/// Offline DPO (seeds 000, 002): the reference log-probs of every pair are asked once from the
/// <c>ReferenceScorer</c> (pi_ref is frozen), then each step minimises the sigmoid / cDPO / IPO loss of
/// z = beta [(log pi(y_w|x) - log pi_ref(y_w|x)) - (log pi(y_l|x) - log pi_ref(y_l|x))].
/// Trains <paramref name="policy"/> in place. With LoRA (<see cref="DpoSettings.Lora"/>) adapters are added to the policy
/// and only they train; pi_ref is the policy itself with its adapters off, computed here (no reference actor is asked).
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
    private readonly Durability? _durability;
    private readonly int _firstStep = 1;

    /// <param name="durability">Journal and checkpoints (null: not durable).</param>
    /// <param name="resume">The checkpoint to continue from.</param>
    public static Props Props(GptLM policy, IActorRef reference, IReadOnlyList<TokenPreference> pairs, DpoSettings settings, int padId,
        IProgressReporter progress, long seed, TimeSpan? askTimeout = null, string stage = "dpo", Durability? durability = null, StageResume? resume = null) =>
        Akka.Actor.Props.Create(() => new DpoLearner(policy, reference, pairs, settings, padId, progress, seed, Devices.Parse(settings.Device),
            askTimeout ?? TimeSpan.FromSeconds(120), stage, durability, resume));

    public DpoLearner(GptLM policy, IActorRef reference, IReadOnlyList<TokenPreference> pairs, DpoSettings settings, int padId,
        IProgressReporter progress, long seed, Device device, TimeSpan askTimeout, string stage = "dpo",
        Durability? durability = null, StageResume? resume = null) : base(stage, progress, device)
    {
        _policy = ModelCopies.On(policy, device);
        (_reference, _pairs, _settings, _padId, _askTimeout, _durability) = (reference, pairs, settings, padId, askTimeout, durability);
        if (settings.Lora is { } lora) _policy.transformer.AddLora(lora, new Generator((ulong)seed));   // before the optimizer: it takes trainable parameters
        _batches = new DatasetIterator<int>(Enumerable.Range(0, pairs.Count).ToList(), settings.BatchSize, seed);
        _optim = Optimizers.Create(_policy, settings.Optim, settings.Steps);
        if (resume is not null)
        {
            using var checkpoint = Checkpoint.Load(Path.Combine(resume.Dir, "policy"));
            checkpoint.Restore(_policy, _optim.Optimizer, torchRng: true);
            _batches.Seek(resume.State.Cursor);
            (_lastAccuracy, _lastMargin) = (resume.State.Values["reward_accuracy"], resume.State.Values["reward_margin"]);
            _firstStep = (int)resume.State.Iteration + 1;
        }
    }

    protected override int FirstStep => _firstStep;

    /// <summary>Journals the step; every <c>Every</c> steps and at the end, checkpoints policy, optimizer, RNG and data cursor.</summary>
    protected override void AfterStep(int step, int steps, IReadOnlyDictionary<string, double> metrics)
    {
        if (_durability is not { } d) return;
        d.Log.Iteration(step, step, metrics);
        var cursor = _batches.Cursor;
        d.Log.DataCursor("preferences", cursor.Epoch, cursor.Offset);
        if (step % Math.Max(1, d.Every) != 0 && step != steps) return;
        var (temp, final) = StageCheckpoints.Begin(d.CheckpointRoot, step);
        Checkpoint.Save(Path.Combine(temp, "policy"), _policy, _policy.config, _optim.Optimizer, step);
        var sha = StageCheckpoints.Commit(temp, final, new StageState(step, cursor.Epoch, cursor.Offset,
            new Dictionary<string, double> { ["reward_accuracy"] = _lastAccuracy, ["reward_margin"] = _lastMargin }, []));
        d.Log.CheckpointAsync(final, sha, step).ContinueWith(t =>
        {
            if (t.IsCompletedSuccessfully) foreach (var old in t.Result) if (Directory.Exists(old)) Directory.Delete(old, recursive: true);
        }, TaskScheduler.Default);
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
            Progress.StagePreparing(Stage, "reference log-probs of the pairs", chosen.Count, _pairs.Count);
        }
        (_refChosen, _refRejected) = (chosen.ToArray(), rejected.ToArray());
    }

    private async Task<float[]> SequenceLogProbs(long batchId, SequenceBatch batch)
    {
        if (_settings.Lora is not null) return ReferenceWithAdaptersOff(batch);
        var reply = await _reference.Ask<ReferenceLogProbs>(new ScoreReference(batchId, batch), _askTimeout);
        using var scope = torch.NewDisposeScope();
        return reply.LogProbs.sum(1).data<float>().ToArray();
    }

    /// <summary>log pi_ref(y|x) summed per row, from the policy with its adapters off (the base model).</summary>
    private float[] ReferenceWithAdaptersOff(SequenceBatch batch)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        _policy.eval();
        _policy.SetLoraEnabled(false);
        try { return Scoring.ResponseLogProbs(_policy, batch.To(Device)).sum(1).cpu().data<float>().ToArray(); }
        finally { _policy.SetLoraEnabled(true); }
    }

    protected override IReadOnlyDictionary<string, double> Step(int step)
    {
        using var scope = torch.NewDisposeScope();
        _policy.train();
        var rows = _batches.Next();
        var parts = Minibatches.Micro(rows, _settings.Optim.MicroBatchSize);
        var (accuracy, margin) = (0.0, 0.0);                                            // pair means, weighted over the micro-batches
        var stats = TrainStep.Run(parts.Select(part => (Func<Tensor>)(() =>
        {
            var weight = parts.Count == 1 ? 1 : (double)part.Length / rows.Count;
            var prompts = part.Select(i => _pairs[i].Prompt).ToList();
            var chosen = TokenizedData.Batch(prompts, part.Select(i => _pairs[i].Chosen).ToList(), _padId).To(Device);
            var rejected = TokenizedData.Batch(prompts, part.Select(i => _pairs[i].Rejected).ToList(), _padId).To(Device);
            var policyChosen = Scoring.ResponseLogProbs(_policy, chosen).sum(1);
            var policyRejected = Scoring.ResponseLogProbs(_policy, rejected).sum(1);
            var refChosen = torch.tensor(part.Select(i => _refChosen[i]).ToArray(), device: Device);
            var refRejected = torch.tensor(part.Select(i => _refRejected[i]).ToArray(), device: Device);
            var dpo = DpoLosses.Loss(policyChosen, policyRejected, refChosen, refRejected, _settings.Beta, _settings.Loss, _settings.LabelSmoothing);
            (accuracy, margin) = (accuracy + weight * dpo.Accuracy, margin + weight * dpo.Margin);
            return TrainStep.Share(dpo.Loss, weight);
        })), _optim.Optimizer, _settings.Optim.MaxGradNorm, _optim.Schedule, step - 1);
        (_lastAccuracy, _lastMargin) = (accuracy, margin);
        return new Dictionary<string, double> { ["loss"] = stats.Loss, ["reward_accuracy"] = accuracy, ["reward_margin"] = margin, ["lr"] = stats.LearningRate };
    }

    protected override IReadOnlyDictionary<string, double> Summarize()
    {
        _policy.eval();
        return new Dictionary<string, double> { ["reward_accuracy"] = _lastAccuracy, ["reward_margin"] = _lastMargin };
    }
}
