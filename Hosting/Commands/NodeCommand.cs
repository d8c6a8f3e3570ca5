using System.CommandLine;
using System.Runtime.InteropServices;
using AkkaRlhf.Actors.Pipeline;
using AkkaRlhf.Cluster;
using AkkaRlhf.Configuration;
using AkkaRlhf.Hosting.Nodes;
using TorchSharp;
using static TorchSharp.torch;

namespace AkkaRlhf.Hosting.Commands;

/// <summary>
/// <c>node --config FILE --roles rollout,reward [--sft DIR] [--rm DIR] [--set k=v]</c>: one cluster member. Reads
/// every module's reference.conf &lt; FILE &lt; environment &lt; --set, builds the RLHF role actors of its roles
/// (rollout, reference, reward, critic: the PPO blocks' <c>cluster.use-role</c>) from the SFT and reward-model
/// checkpoints, joins the broker of <c>akka.cluster.broker</c>, serves the roles' queues, logs membership events and
/// each batch it serves, and leaves gracefully on Ctrl+C / SIGTERM. A clustered <c>train ppo</c> is the coordinator.
/// See docs/cluster.md.
/// </summary>
public static class NodeCommand
{
    public static Command Create()
    {
        var config = new Option<string?>("--config") { Description = "user configuration file (HOCON), e.g. hocon/cluster.conf" };
        var roles = new Option<string?>("--roles") { Description = "comma-separated roles of this node (overrides akka.cluster.roles)" };
        var sft = new Option<string?>("--sft") { Description = "SFT checkpoint folder (the policy and reference of the rollout, reference roles)" };
        var rm = new Option<string?>("--rm") { Description = "reward-model checkpoint folder (the reward and critic roles)" };
        var name = new Option<string>("--system") { Description = "actor system name", DefaultValueFactory = _ => "rlhf" };
        var set = Options.Overrides();
        var node = new Command("node", "start a cluster member serving RLHF roles, connected to the broker of akka.cluster.broker") { config, roles, sft, rm, name, set };
        node.SetAction(r => Cli.Run(() =>
        {
            var overrides = new List<string>(r.GetValue(set) ?? []);
            if (r.GetValue(roles) is { } list)
                overrides.Add($"akka.cluster.roles=[{string.Join(",", list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(x => $"\"{x}\""))}]");
            var merged = AppConfig.Load(r.GetValue(config), overrides);
            try
            {
                return RunAsync(r.GetValue(name)!, merged, r.GetValue(sft), r.GetValue(rm)).GetAwaiter().GetResult();
            }
            catch (Exception e) when (e is ClusterConfigurationException or TimeoutException)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 1;
            }
        }));
        return node;
    }

    private static async Task<int> RunAsync(string systemName, Config config, string? sftDir, string? rmDir)
    {
        var settings = ClusterSettings.FromConfig(config);
        var pipeline = PipelineSettings.FromConfig(config);
        var system = ActorSystems.Create(systemName, config);
        var bridge = Nodes.RabbitMqBridge.CreateSystem(systemName, printClusterLog: true);
        var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.TrySetResult(); });
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.TrySetResult(); });
        try
        {
            torch.set_num_threads(pipeline.TorchThreads > 0 ? pipeline.TorchThreads : 1);
            torch.manual_seed(pipeline.Seed);
            var blocks = settings.Roles.Select(role => RoleHost.BlockOf(pipeline.Ppo, role)?.Block).OfType<string>().ToList();
            var models = new Lazy<PpoModels>(() =>
            {
                var inputs = new RunInputs(config, $"node --roles {string.Join(",", settings.Roles)}");
                var reward = blocks.Any(b => b is "reward" or "critic") ? inputs.LoadReward(pipeline.Ppo, rmDir, inputs.PreferencesEval()) : null;
                return PpoModels.Create(inputs.LoadSft(sftDir), reward, inputs.Tokenizer, pipeline.Ppo);
            });
            var roles = RoleHost.Create(system, bridge, settings.Roles, pipeline.Ppo, () => models.Value, RoleRegistry.Default, settings.RolePrefetch, Console.Out);
            var node = await ClusterNode.JoinAsync(bridge, settings);
            await RoleHost.ServeAsync(node, roles);
            var serving = roles.Count == 0 ? "" : $", serving {string.Join(", ", roles.Select(x => x.Role))}";
            var other = settings.Roles.Except(roles.Select(x => x.Role)).ToList();
            if (other.Count > 0) serving += $" (no PPO block uses [{string.Join(",", other)}] as its cluster.use-role: no RLHF actor for them here)";
            Console.WriteLine($"node {node.SelfAddress} up with roles [{string.Join(",", settings.Roles)}] on {settings.Broker}{serving}; Ctrl+C leaves.");
            Console.WriteLine($"members: {string.Join(", ", node.Members)}");             // later membership changes: the cluster's INFO lines
            await stop.Task;
            await node.LeaveAsync();
            return 0;
        }
        finally
        {
            await Task.WhenAll(system.Terminate(), bridge.Terminate()).WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }
}
