using AkkaRlhf.Actors.Messages;
using AkkaRlhf.Models;
using AkkaRlhf.Models.Losses;
using Akka.Actor;
using TorchSharp;
using static TorchSharp.torch;

namespace AkkaRlhf.Actors.Roles;

/// <summary>
/// The frozen reward model r_phi: one score per sequence, in the order of the request, read at the
/// last real token; optionally normalised with the reward model's held-out mean and std.
/// </summary>
public sealed class RewardScorer : RoleActor
{
    public static Props Props(GptReward reward, Device device, RewardNormalizer? normalizer = null, int torchThreads = 0) =>
        Akka.Actor.Props.Create(() => new RewardScorer(reward, device, normalizer, torchThreads));

    public RewardScorer(GptReward reward, Device device, RewardNormalizer? normalizer = null, int torchThreads = 0) : base(device, torchThreads)
    {
        reward.to(Device);
        reward.eval();
        ReceiveBatch<ScoreRewards>(request =>
        {
            using var noGrad = torch.no_grad();
            using var scope = torch.NewDisposeScope();
            var scores = Scoring.Rewards(reward, request.Batch.To(Device));
            if (normalizer is not null) scores = normalizer.Normalize(scores);
            return new RewardScores(request.BatchId, Scoring.Outgoing(scores));
        });
    }
}
