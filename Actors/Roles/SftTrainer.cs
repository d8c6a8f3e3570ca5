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
/// Stage 1, supervised fine-tuning: L_SFT = -mean over response tokens of log pi_theta(y_t | x, y_&lt;t)
/// (prompt tokens masked), one minibatch per step. Trains <paramref name="model"/> in place.
/// </summary>
public sealed class SftTrainer(GptLM model, IReadOnlyList<TokenPair> data, SftSettings settings, int padId,
    IProgressReporter progress, long seed, Device device) : OfflineStage("sft", progress, device)
{
    private readonly DatasetIterator<TokenPair> _batches = new(data, settings.BatchSize, seed, dropLast: data.Count >= settings.BatchSize);
    private readonly (AdamW Optimizer, CosineSchedule Schedule) _optim = Optimizers.Create(ModelCopies.On(model, device), settings.Optim, settings.Steps);
    private double _lastLoss;

    public static Props Props(GptLM model, IReadOnlyList<TokenPair> data, SftSettings settings, int padId, IProgressReporter progress, long seed) =>
        Akka.Actor.Props.Create(() => new SftTrainer(model, data, settings, padId, progress, seed, Devices.Parse(settings.Device)));

    protected override IReadOnlyDictionary<string, double> Step(int step)
    {
        using var scope = torch.NewDisposeScope();
        var rows = _batches.Next();
        var parts = Minibatches.Micro(rows, settings.Optim.MicroBatchSize);
        var tokens = (double)Math.Max(1, rows.Sum(r => r.Response.Length));
        model.train();
        var stats = TrainStep.Run(parts.Select(part => (Func<Tensor>)(() =>
        {
            var batch = TokenizedData.Batch(part.Select(r => r.Prompt).ToList(), part.Select(r => r.Response).ToList(), padId).To(Device);
            var loss = SftLoss.TokenMeanNll(Scoring.ResponseLogProbs(model, batch), batch.ActionMask);
            return TrainStep.Share(loss, parts.Count == 1 ? 1 : part.Sum(r => r.Response.Length) / tokens);   // token mean: the part's share of the tokens
        })), _optim.Optimizer, settings.Optim.MaxGradNorm, _optim.Schedule, step - 1);
        _lastLoss = stats.Loss;
        return new Dictionary<string, double> { ["loss"] = stats.Loss, ["lr"] = stats.LearningRate };
    }

    protected override IReadOnlyDictionary<string, double> Summarize()
    {
        model.eval();
        return new Dictionary<string, double> { ["final_loss"] = _lastLoss };
    }
}
