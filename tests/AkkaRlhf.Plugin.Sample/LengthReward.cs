using Akka.Actor;
using AkkaRlhf.Actors.Messages;
using AkkaRlhf.Actors.Pipeline;
using AkkaRlhf.Actors.Roles;
using TorchSharp;
using static TorchSharp.torch;

namespace AkkaRlhf.Plugin.Sample;

/// <summary>
/// A reward role from another assembly: <c>per-token</c> times the number of response tokens (EOS included). Selected with
/// <c>akka-rlhf.plugins = ["path/AkkaRlhf.Plugin.Sample.dll"]</c> and
/// <c>akka-rlhf.ppo.reward.type = "AkkaRlhf.Plugin.Sample.LengthReward, AkkaRlhf.Plugin.Sample"</c>.
/// </summary>
public sealed class LengthReward : RoleActor
{
    /// <summary>How the registry builds the role from its HOCON block.</summary>
    public static Props Props(RoleContext context)
    {
        var perToken = context.Settings.Block.GetDouble("per-token");
        return Akka.Actor.Props.Create(() => new LengthReward(perToken, context.Device));
    }

    public LengthReward(double perToken, Device device) : base(device) =>
        ReceiveBatch<ScoreRewards>(request =>
        {
            using var scope = torch.NewDisposeScope();
            using var weight = perToken.ToScalar();                                   // held while libtorch reads it (docs/models.md)
            var scores = request.Batch.ActionMask.sum(1).to(ScalarType.Float32).mul(weight);     // (B)
            return new RewardScores(request.BatchId, Scoring.Outgoing(scores));
        });
}
