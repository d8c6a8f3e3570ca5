using AkkaRlhf.Runtime;

namespace AkkaRlhf.Cluster;

/// <summary>
/// Membership events, published on the system's <c>EventStream</c>. Subscribe with
/// <see cref="ClusterNode.Subscribe"/> (which first sends a <see cref="CurrentClusterState"/>) or
/// directly on the event stream with <c>typeof(ClusterEvent.IMemberEvent)</c>.
/// </summary>
public static class ClusterEvent
{
    /// <summary>Any cluster event.</summary>
    public interface IClusterDomainEvent : INoSerializationVerificationNeeded;

    /// <summary>A change of one member.</summary>
    public interface IMemberEvent : IClusterDomainEvent
    {
        /// <summary>The member after the change.</summary>
        Member Member { get; }
    }

    /// <summary>A member was heard from for the first time (or again after it was removed).</summary>
    public sealed record MemberUp(Member Member) : IMemberEvent;

    /// <summary>A member has been silent for longer than <c>unreachable-after</c>.</summary>
    public sealed record UnreachableMember(Member Member) : IMemberEvent;

    /// <summary>An unreachable member was heard from again.</summary>
    public sealed record ReachableMember(Member Member) : IMemberEvent;

    /// <summary>A member left gracefully or has been silent for longer than <c>removed-after</c>.</summary>
    public sealed record MemberRemoved(Member Member) : IMemberEvent;

    /// <summary>This node lost its broker connection (it keeps retrying with backoff).</summary>
    public sealed record BrokerDisconnected(string Reason) : IClusterDomainEvent;

    /// <summary>This node is connected to the broker (first connection or after a reconnect).</summary>
    public sealed record BrokerConnected(int Generation) : IClusterDomainEvent;

    /// <summary>The members known when a subscription starts.</summary>
    public sealed record CurrentClusterState(IReadOnlyList<Member> Members) : IClusterDomainEvent;
}
