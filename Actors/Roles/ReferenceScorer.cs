using AkkaRlhf.Actors.Messages;
using AkkaRlhf.Models;
using AkkaRlhf.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace AkkaRlhf.Actors.Roles;

/// <summary>The frozen reference policy pi_ref: per-token log-probs of the responses it is shown.</summary>
public sealed class ReferenceScorer : RoleActor
{
    /// <summary>The scorer owns a frozen copy of <paramref name="reference"/> on <paramref name="device"/>.</summary>
    public static Props Props(GptLM reference, Device device) =>
        Runtime.Props.CreateBy(() => new ReferenceScorer(ModelCopies.Clone(reference, device), device));

    public ReferenceScorer(GptLM reference, Device device) : base(device)
    {
        reference.eval();
        ReceiveBatch<ScoreReference>(request =>
        {
            using var noGrad = torch.no_grad();
            using var scope = torch.NewDisposeScope();
            var logProbs = Scoring.ResponseLogProbs(reference, request.Batch.To(Device));
            return new ReferenceLogProbs(request.BatchId, Scoring.Outgoing(logProbs));
        });
    }
}
