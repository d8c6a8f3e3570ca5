using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using AkkaRlhf.Hosting;
using AkkaRlhf.Hosting.Nodes;
using RlhfConfig = AkkaRlhf.Configuration.Config;

namespace AkkaRlhf.Bench.Cluster;

/// <summary>Cluster members of the bench's own processes, configured as the product configures them (<see cref="ClusterMember"/>).</summary>
internal static class Members
{
    /// <summary>The configuration of a member on 127.0.0.1:<paramref name="port"/> (0: any) with <paramref name="roles"/>, more <c>--set</c>s.</summary>
    public static RlhfConfig Config(int port, int seedPort, string[] roles, params string[] sets) => AppConfig.Load(null,
    [
        $"akka.cluster.seed-nodes=[\"akka.tcp://{ClusterMember.SystemName}@127.0.0.1:{seedPort}\"]",
        "akka.remote.dot-netty.tcp.hostname=\"127.0.0.1\"",
        $"akka.remote.dot-netty.tcp.port={port}",
        $"akka.cluster.roles=[{string.Join(",", roles.Select(r => $"\"{r}\""))}]",
        .. sets,
    ]);

    /// <summary>Starts the member system of <paramref name="config"/> and waits until it is up.</summary>
    public static async Task<ActorSystem> StartAsync(RlhfConfig config)
    {
        var system = ActorSystems.Create(ClusterMember.SystemName, config, ClusterMember.AkkaConfig);
        var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Akka.Cluster.Cluster.Get(system).RegisterOnMemberUp(() => up.TrySetResult());
        await up.Task.WaitAsync(TimeSpan.FromSeconds(60));
        return system;
    }

    /// <summary>The address of <paramref name="system"/>, printed by a child member for the bench to find it.</summary>
    public static string AddressOf(ActorSystem system) => Akka.Cluster.Cluster.Get(system).SelfAddress.ToString();

    /// <summary>A free TCP port on loopback.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
