using AkkaRlhf.Actors.Messages;
using Akka.Actor;

namespace AkkaRlhf.Actors.Pipeline;

/// <summary>
/// How the <see cref="Trainer"/> reaches roles it does not host (blocks with <c>cluster.enabled = on</c>): a router
/// to the members serving a cluster role, and policy weights to them. <c>Cluster.ClusterRoles</c> implements it over
/// Akka.Cluster (docs/cluster.md); the role actors are the same either way.
/// </summary>
public interface IRemoteRoles
{
    /// <summary>Sends each message to whichever node serving <paramref name="role"/> takes it first; replies come back to the asker.</summary>
    IActorRef Router(string role);

    /// <summary>Sends <paramref name="weights"/> to every node serving <paramref name="role"/> (fire and forget: versions only move forward there).</summary>
    void PublishWeights(string role, PolicyWeights weights);

    /// <summary>
    /// How the answer to <paramref name="request"/> (sent through a <see cref="Router"/>) was spent, once it came: null when not
    /// known (not answered from another node).
    /// </summary>
    RemoteTiming? TimingOf(object request) => null;
}

/// <summary>
/// Where the round trip of a request to another node went: <paramref name="MessagingSeconds"/> is the round trip minus the
/// member's own time (serialization, transport and dispatch, both ways), <paramref name="WeightWaitSeconds"/> the part of the
/// member's time spent waiting for the policy weights the request needed.
/// </summary>
public readonly record struct RemoteTiming(double MessagingSeconds, double WeightWaitSeconds);
