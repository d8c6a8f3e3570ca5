using AkkaRlhf.Actors.Messages;
using AkkaRlhf.Actors.Pipeline;
using AkkaRlhf.Actors.Roles;
using AkkaRlhf.Models;
using AkkaRlhf.Models.Data;
using AkkaRlhf.Models.Losses;
using AkkaRlhf.Models.Training;
using Akka.Actor;
using TorchSharp;
using TorchSharp.Modules;
using static AkkaRlhf.Models.Scalars;
using static TorchSharp.torch;

namespace AkkaRlhf.Actors.Plugins;

/// <summary>
/// A plug-in learner: GRPO, critic-free. Each prompt is answered <c>group-size</c> times; the
/// advantage of sample i is its reward standardised within its group, (R_i - mean_g) / (std_g + 1e-6),
/// the same for all its tokens; the KL to pi_ref is a loss term with the k3 estimator:
/// L = PPO-clip(A) + kl-coef * KL_k3(pi || pi_ref). Select it with
/// <c>akka-rlhf.ppo.learner.type = grpo</c> (see docs/plugins.md).
/// </summary>
public sealed class GrpoLearner : RoleActor
{
    private readonly GptLM _policy;
    private readonly LearnerSettings _settings;
    private readonly AdamW _optimizer;
    private readonly SeededRandom _rng;
    private readonly PolicyVersion _version;

    /// <summary>The registry's entry point: the policy from the run's models, the settings from the role's HOCON block.</summary>
    public static Props Props(RoleContext context)
    {
        var version = new PolicyVersion();
        var settings = context.Ppo.LearnerOptions;
        return Akka.Actor.Props.Create(() => new GrpoLearner(context.Models.Policy, settings, context.Device, context.Seed, version, context.Settings.TorchThreads,
            context.Ppo.Mode == PipelineMode.Sync));
    }

    public GrpoLearner(GptLM policy, LearnerSettings settings, Device device, long seed, PolicyVersion version, int torchThreads = 0,
        bool shareWeights = false) : base(device, torchThreads)
    {
        if (settings.GroupSize < 2) throw new ArgumentException($"GRPO needs group-size >= 2, got {settings.GroupSize}");
        _policy = ModelCopies.On(policy, device);
        (_settings, _version) = (settings, version);
        _optimizer = new StepwiseAdamW(OptimizerGroups.DecayNoDecay(policy, 0.0, settings.Lr));
        _rng = new SeededRandom(seed, 6);

        Receive<GetLearnerSpec>(_ => Sender.Tell(new LearnerSpec(UsesCritic: false, SamplesPerPrompt: settings.GroupSize)));

        ReceiveTrainPolicy(_policy, _version, Train, shareWeights);

        UseOwnLoraDropout(_policy, seed);
        ReceiveCheckpoints(_policy, _policy.config, _optimizer, _rng, _version);
    }

    private Dictionary<string, double> Train(Experience experience)
    {
        using var scope = torch.NewDisposeScope();
        var batch = experience.Batch.To(Device);
        var mask = batch.ActionMask;
        var advantages = GroupAdvantages.ToTokens(GroupAdvantages.Grpo(experience.Scores.to(Device), experience.SamplesPerPrompt), mask);
        var refLogProbs = experience.RefLogProbs.to(Device);
        Tensor oldLogProbs;
        using (torch.no_grad()) oldLogProbs = _settings.RecomputeOldLogProbs ? Scoring.ResponseLogProbs(_policy, batch) : experience.OldLogProbs.to(Device);
        var (losses, kls) = (new List<double>(), new List<double>());
        using var klCoef = _settings.KlCoef.ToScalar();
        for (var epoch = 0; epoch < _settings.Epochs; epoch++)
            foreach (var rows in Minibatches.Of(batch.Count, _settings.MinibatchSize, _rng, Device))
            {
                using var step = torch.NewDisposeScope();
                var mb = batch.Rows(rows);
                var logProbs = Scoring.ResponseLogProbs(_policy, mb);
                var clip = PpoLosses.PolicyLoss(logProbs, oldLogProbs.index_select(0, rows), advantages.index_select(0, rows), mb.ActionMask, _settings.ClipEps);
                var kl = Kl.Loss(logProbs, refLogProbs.index_select(0, rows), mb.ActionMask, KlEstimator.K3);
                losses.Add(TrainStep.Run(clip.Loss.add(kl.mul(klCoef), One), _optimizer, _settings.MaxGradNorm).Loss);
                kls.Add(kl.ToDouble());
            }
        return new() { ["policy_loss"] = losses.Average(), ["kl_loss"] = kls.Average() };
    }

    protected override void PostStop() => _optimizer.Dispose();
}
