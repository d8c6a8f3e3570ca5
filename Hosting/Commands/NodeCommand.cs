using System.CommandLine;
using System.Runtime.InteropServices;
using AkkaRlhf.Actors.Serialization;
using AkkaRlhf.Cluster;
using AkkaRlhf.Configuration;
using AkkaRlhf.Runtime;

namespace AkkaRlhf.Hosting.Commands;

/// <summary>
/// <c>node --config FILE --roles rollout,reward [--set k=v]</c>: one cluster member. Reads
/// reference.conf (runtime and cluster) &lt; FILE &lt; environment &lt; --set, joins the broker of
/// <c>akka.cluster.broker</c> with the given roles (the RLHF messages allow-listed), logs membership
/// events, and leaves gracefully on Ctrl+C / SIGTERM. See docs/cluster.md.
/// </summary>
public static class NodeCommand
{
    public static Command Create()
    {
        var config = new Option<string?>("--config") { Description = "user configuration file (HOCON), e.g. hocon/cluster.conf" };
        var roles = new Option<string?>("--roles") { Description = "comma-separated roles of this node (overrides akka.cluster.roles)" };
        var name = new Option<string>("--system") { Description = "actor system name (the same on every node)", DefaultValueFactory = _ => "rlhf" };
        var set = Options.Overrides();
        var node = new Command("node", "start a cluster member with roles, connected to the broker of akka.cluster.broker") { config, roles, name, set };
        node.SetAction(r => Cli.Run(() =>
        {
            var overrides = new List<string>(r.GetValue(set) ?? []);
            if (r.GetValue(roles) is { } list)
                overrides.Add($"akka.cluster.roles=[{string.Join(",", list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(x => $"\"{x}\""))}]");
            var merged = new ConfigLayers()
                .AddReference(typeof(ActorSystem).Assembly)
                .AddReference(typeof(ClusterNode).Assembly)
                .AddFile(r.GetValue(config))
                .AddEnvironment()
                .AddOverrides(overrides)
                .Build();
            try
            {
                return RunAsync(r.GetValue(name)!, merged).GetAwaiter().GetResult();
            }
            catch (Exception e) when (e is ClusterConfigurationException or TimeoutException)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 1;
            }
        }));
        return node;
    }

    private static async Task<int> RunAsync(string systemName, Config config)
    {
        var settings = ClusterSettings.FromConfig(config);
        var system = RlhfSerialization.Register(ActorSystem.Create(systemName, config));
        var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.TrySetResult(); });
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.TrySetResult(); });
        try
        {
            var node = await ClusterNode.JoinAsync(system, settings);
            node.Subscribe(system.ActorOf(Props.CreateBy(() => new MemberLogger()), "member-log"));
            Console.WriteLine($"node {node.SelfAddress} up with roles [{string.Join(",", settings.Roles)}] on {settings.Broker}; Ctrl+C leaves.");
            await stop.Task;
            await node.LeaveAsync();
            return 0;
        }
        finally
        {
            await system.Terminate().WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    /// <summary>Prints membership events.</summary>
    private sealed class MemberLogger : ReceiveActor
    {
        public MemberLogger()
        {
            Receive<ClusterEvent.CurrentClusterState>(s => Console.WriteLine($"members: {string.Join(", ", s.Members)}"));
            Receive<ClusterEvent.IMemberEvent>(e => Console.WriteLine($"{e.GetType().Name}: {e.Member}"));
        }
    }
}
