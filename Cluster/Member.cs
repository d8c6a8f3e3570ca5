using AkkaRlhf.Runtime;

namespace AkkaRlhf.Cluster;

/// <summary>The state of a member as this node sees it.</summary>
public enum MemberStatus
{
    /// <summary>Heard from recently.</summary>
    Up,

    /// <summary>Silent for longer than <c>unreachable-after</c>.</summary>
    Unreachable,

    /// <summary>Left gracefully or silent for longer than <c>removed-after</c>.</summary>
    Removed,
}

/// <summary>A node of the cluster: its address, the roles it serves and its status.</summary>
/// <param name="Address">The node's address (<c>akka.amqp://system@host:uid</c>).</param>
/// <param name="Roles">The roles it serves.</param>
/// <param name="Status">Its status.</param>
public sealed record Member(Address Address, IReadOnlyList<string> Roles, MemberStatus Status)
{
    /// <summary>True if the member serves <paramref name="role"/>.</summary>
    public bool HasRole(string role) => Roles.Contains(role, StringComparer.Ordinal);

    /// <inheritdoc />
    public override string ToString() => $"Member({Address}, [{string.Join(",", Roles)}], {Status})";
}
