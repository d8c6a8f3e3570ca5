using AkkaRlhf.Actors.Messages;
using AkkaRlhf.Models;
using Akka.Actor;
using TorchSharp;
using static TorchSharp.torch;

namespace AkkaRlhf.Actors.Roles;

/// <summary>The frozen reference policy pi_ref: per-token log-probs of the responses it is shown.</summary>
public sealed class ReferenceScorer : RoleActor
{
    /// <summary>
    /// Each instance (each routee of a pool) reads <paramref name="reference"/> itself when it is on <paramref name="device"/>
    /// (a frozen model is only read: no copy; with LoRA it is the policy's shared base), else a frozen copy there.
    /// </summary>
    public static Props Props(GptLM reference, Device device, int torchThreads = 0) =>
        Akka.Actor.Props.Create(() => new ReferenceScorer(reference, device, torchThreads));

    /// <param name="source">Copied here when needed, in the constructor (Akka evaluates a Props' arguments once).</param>
    public ReferenceScorer(GptLM source, Device device, int torchThreads = 0) : base(device, torchThreads)
    {
        var reference = ModelCopies.Frozen(source, device);
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
