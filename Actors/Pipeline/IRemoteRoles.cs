using AkkaRlhf.Actors.Messages;
using Akka.Actor;

namespace AkkaRlhf.Actors.Pipeline;

/// <summary>
/// How the <see cref="Trainer"/> reaches roles it does not host (blocks with <c>cluster.enabled = on</c>): a router
/// to the nodes serving a cluster role, and a weight broadcast to them. The hosting layer implements it over the
/// cluster (<c>ClusterNode.RoleRouter</c>, <c>PublishWeightsAsync</c>); the role actors are the same either way.
/// </summary>
public interface IRemoteRoles
{
    /// <summary>Sends each message to whichever node serving <paramref name="role"/> takes it first; replies come back to the asker.</summary>
    IActorRef Router(string role);

    /// <summary>Sends <paramref name="weights"/> to every node serving <paramref name="role"/> (fire and forget: versions only move forward there).</summary>
    void PublishWeights(string role, PolicyWeights weights);
}
