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
/// The critic V_psi: values V(s_t) before every response token, and regression on the GAE returns
/// with the clipped value loss. Usually initialised from the reward model (seed 003).
/// </summary>
public sealed class Critic : RoleActor
{
    private readonly GptValue _critic;
    private readonly CriticSettings _settings;
    private readonly AdamW _optimizer;
    private readonly SeededRandom _rng;

    /// <summary>The critic trains <paramref name="critic"/> in place; update u (0-based, counted across restarts and checkpoints) runs at <paramref name="schedule"/>'s lr for u.</summary>
    public static Props Props(GptValue critic, CriticSettings settings, Device device, long seed, CosineSchedule? schedule = null, int torchThreads = 0)
    {
        var updates = new PolicyVersion();
        return Akka.Actor.Props.Create(() => new Critic(critic, settings, device, seed, schedule, updates, torchThreads));
    }

    public Critic(GptValue critic, CriticSettings settings, Device device, long seed, CosineSchedule? schedule = null, PolicyVersion? updates = null,
        int torchThreads = 0) : base(device, torchThreads)
    {
        updates ??= new PolicyVersion();
        _critic = critic;
        _critic.to(Device);
        _settings = settings;
        _optimizer = NewOptimizer(critic, settings);
        _rng = NewRng(seed);

        ReceiveBatch<ComputeValues>(request =>
        {
            using var noGrad = torch.no_grad();
            using var scope = torch.NewDisposeScope();
            return new ValueEstimates(request.BatchId, Scoring.Outgoing(Scoring.Values(_critic, request.Batch.To(Device))));
        });

        ReceiveBatch<TrainCritic>(request =>
        {
            var metrics = Train(_critic, _optimizer, _rng, _settings, Device, request.Batch, request.Returns, request.OldValues, schedule, updates.Value);
            updates.Increment();
            return new CriticUpdated(request.BatchId, metrics);
        });

        UseOwnLoraDropout(_critic, seed);
        ReceiveCheckpoints(_critic, _critic.config, _optimizer, _rng, updates: updates);
    }

    /// <summary>The critic's optimiser over <paramref name="critic"/> (AdamW, no weight decay).</summary>
    public static AdamW NewOptimizer(GptValue critic, CriticSettings settings) => new StepwiseAdamW(OptimizerGroups.DecayNoDecay(critic, 0.0, settings.Lr));

    /// <summary>The critic's minibatch order stream for the role seed <paramref name="seed"/>.</summary>
    public static SeededRandom NewRng(long seed) => new(seed, 7);

    /// <summary>
    /// One update: the value-regression epochs of <paramref name="critic"/> (in place, on <paramref name="device"/>) on the
    /// GAE returns <paramref name="targets"/> of <paramref name="sequences"/>, clipped around <paramref name="previousValues"/>
    /// (the values before the update), over shuffled minibatches drawn from <paramref name="rng"/>; returns the update's metrics.
    /// </summary>
    public static Dictionary<string, double> Train(GptValue critic, AdamW optimizer, SeededRandom rng, CriticSettings settings, Device device,
        SequenceBatch sequences, Tensor targets, Tensor previousValues, CosineSchedule? schedule = null, long update = 0)
    {
        using var scope = torch.NewDisposeScope();
        var batch = sequences.To(device);
        var (returns, oldValues) = (targets.to(device), previousValues.to(device));
        var losses = new List<double>();
        var lr = 0.0;
        for (var epoch = 0; epoch < settings.Epochs; epoch++)
            foreach (var rows in Minibatches.Of(batch.Count, settings.MinibatchSize, rng, device))
            {
                using var step = torch.NewDisposeScope();
                var parts = Minibatches.Micro(rows, settings.MicroBatchSize);
                var shares = Minibatches.TokenShares(batch.ActionMask, parts);                // a token mean: each part's share of the tokens
                var stats = TrainStep.Run(parts.Select((part, k) => (Func<Tensor>)(() =>
                {
                    var mb = batch.Rows(part);
                    var values = Scoring.Values(critic, mb);
                    var loss = PpoLosses.ValueLoss(values, oldValues.index_select(0, part), returns.index_select(0, part), mb.ActionMask, settings.ValueClipOrNull);
                    return TrainStep.Share(loss, shares[k]);
                })), optimizer, settings.MaxGradNorm, schedule, update);
                lr = stats.LearningRate;
                losses.Add(stats.Loss);
            }
        return new()
        {
            ["value_loss"] = losses.Average(),
            ["explained_variance"] = PpoLosses.ExplainedVariance(oldValues, returns, batch.ActionMask),
            ["critic_lr"] = lr,
        };
    }

    protected override void PostStop() => _optimizer.Dispose();
}
