using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Tools.Singleton;
using Akka.Configuration;
using AkkaRlhf.Actors.Serialization;

namespace AkkaRlhf.Hosting.Nodes;

/// <summary>
/// What makes an actor system a cluster member of AkkaRlhf: Akka's cluster provider, and every type without a binding of
/// its own bound to the RLHF serializer, whose allow-list then refuses it (Akka's default JSON serializer, which reads type
/// names from the wire, is never used). Seed nodes, roles, host and port are Akka's keys (<c>akka.cluster.seed-nodes</c>,
/// <c>akka.cluster.roles</c>, <c>akka.remote.dot-netty.tcp.hostname/port</c>), from the user's configuration or the node's
/// command-line flags. All members of one cluster use the system name <see cref="SystemName"/>.
/// </summary>
public static class ClusterMember
{
    public const string SystemName = "akka-rlhf";

    /// <summary>
    /// The Akka configuration beneath a member's own (a fallback of <see cref="ActorSystems.ToAkkaConfig"/>). A member's
    /// model actors each get a thread of their own whatever the model's size (<c>thread-per-actor = on</c>, where one
    /// process has <c>auto</c>): with the demo's three members on two cores the pool side made the 3-member iteration
    /// 20-46% longer (bench/Cluster/RESULTS.md, 2026-12-05), where in one process it saves a small model's messaging.
    /// </summary>
    public static Config AkkaConfig { get; } = ConfigurationFactory.ParseString("""
        akka.actor.provider = cluster
        akka.actor.serialization-bindings { "System.Object" = rlhf }
        akka.rlhf.model-dispatcher.thread-per-actor = on
        """).WithFallback(RlhfSerialization.AkkaConfig)
        .WithFallback(ClusterSingleton.DefaultConfig());                               // the singleton's serializer on every member

    /// <summary>Akka addresses as <c>akka.tcp://akka-rlhf@HOST:PORT</c> for a list of <c>HOST:PORT</c> (or full addresses).</summary>
    public static IReadOnlyList<string> SeedAddresses(string list) =>
        [.. list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => s.Contains("://", StringComparison.Ordinal) ? s : $"akka.tcp://{SystemName}@{s}")];

    /// <summary>Prints membership changes (joined, up, unreachable, removed) on the node's console: what an operator follows.</summary>
    public sealed class MembershipLog : ReceiveActor
    {
        public static Props Props(TextWriter output) => Akka.Actor.Props.Create(() => new MembershipLog(output));

        public MembershipLog(TextWriter output)
        {
            Receive<ClusterEvent.IMemberEvent>(e => output.WriteLine($"{e.GetType().Name}: {e.Member.Address} [{string.Join(",", e.Member.Roles)}]"));
            Receive<ClusterEvent.UnreachableMember>(e => output.WriteLine($"UnreachableMember: {e.Member.Address}"));
            Receive<ClusterEvent.ReachableMember>(e => output.WriteLine($"ReachableMember: {e.Member.Address}"));
        }

        protected override void PreStart() => Akka.Cluster.Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.InitialStateAsEvents,
            typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.IReachabilityEvent));
    }
}
