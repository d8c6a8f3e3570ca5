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

    public static Props Props(GptValue critic, CriticSettings settings, Device device, long seed) =>
        Akka.Actor.Props.Create(() => new Critic(critic, settings, device, seed));

    public Critic(GptValue critic, CriticSettings settings, Device device, long seed) : base(device)
    {
        _critic = critic;
        _critic.to(Device);
        _settings = settings;
        _optimizer = new AdamW(OptimizerGroups.DecayNoDecay(critic, 0.0, settings.Lr));
        _rng = new SeededRandom(seed, 7);

        ReceiveBatch<ComputeValues>(request =>
        {
            using var noGrad = torch.no_grad();
            using var scope = torch.NewDisposeScope();
            return new ValueEstimates(request.BatchId, Scoring.Outgoing(Scoring.Values(_critic, request.Batch.To(Device))));
        });

        ReceiveBatch<TrainCritic>(request => new CriticUpdated(request.BatchId, Train(request)));

        ReceiveCheckpoints(_critic, _critic.config, _optimizer, _rng);
    }

    private Dictionary<string, double> Train(TrainCritic request)
    {
        using var scope = torch.NewDisposeScope();
        var batch = request.Batch.To(Device);
        var (returns, oldValues) = (request.Returns.to(Device), request.OldValues.to(Device));
        var losses = new List<double>();
        for (var epoch = 0; epoch < _settings.Epochs; epoch++)
            foreach (var rows in Minibatches.Of(batch.Count, _settings.MinibatchSize, _rng, Device))
            {
                using var step = torch.NewDisposeScope();
                var mb = batch.Rows(rows);
                var values = Scoring.Values(_critic, mb);
                var loss = PpoLosses.ValueLoss(values, oldValues.index_select(0, rows), returns.index_select(0, rows), mb.ActionMask, _settings.ValueClipOrNull);
                losses.Add(TrainStep.Run(loss, _optimizer, _settings.MaxGradNorm).Loss);
            }
        return new()
        {
            ["value_loss"] = losses.Average(),
            ["explained_variance"] = PpoLosses.ExplainedVariance(oldValues, returns, batch.ActionMask),
        };
    }

    protected override void PostStop() => _optimizer.Dispose();
}
