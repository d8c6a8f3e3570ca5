using System.CommandLine;
using AkkaRlhf.Actors.Pipeline;
using AkkaRlhf.Hosting.Nodes;
using AkkaRlhf.Hosting.Reporting;

namespace AkkaRlhf.Hosting.Commands;

/// <summary>
/// <c>node --roles R1,R2 --seed-nodes HOST:PORT[,...] [--hostname H] [--port P] [--config FILE] [--sft DIR] [--rm DIR]
/// [--run DIR | --demo-run DIR] [--follow] [--set k=v]</c>: one Akka cluster member of a PPO run (<see cref="NodeHost"/>). Its flags are
/// Akka's keys (<c>akka.cluster.roles</c>, <c>akka.cluster.seed-nodes</c>, <c>akka.remote.dot-netty.tcp.hostname/port</c>)
/// over the same layers as every command: reference.conf &lt; FILE &lt; environment &lt; --set. Roles: rollout, reference,
/// reward, critic (the PPO blocks' <c>cluster.use-role</c>) and learner (a candidate for the run's coordinator, which needs
/// the run folder). With <c>--follow</c> it prints the run's progress (any member can: e.g. <c>--roles watcher</c>, serving
/// nothing) and leaves when the run ends. See docs/cluster.md.
/// </summary>
public static class NodeCommand
{
    public static Command Create()
    {
        var config = new Option<string?>("--config") { Description = "user configuration file (HOCON), e.g. hocon/cluster.conf" };
        var roles = new Option<string?>("--roles") { Description = "comma-separated roles of this member: rollout, reference, reward, critic, learner (akka.cluster.roles)" };
        var seeds = new Option<string?>("--seed-nodes") { Description = "comma-separated HOST:PORT of the seed members (akka.cluster.seed-nodes); the first seed lists itself" };
        var hostname = new Option<string?>("--hostname") { Description = "the address other members reach this one at (akka.remote.dot-netty.tcp.hostname)" };
        var port = new Option<int?>("--port") { Description = "TCP port of this member, 0 = any free one (akka.remote.dot-netty.tcp.port)" };
        var sft = new Option<string?>("--sft") { Description = "SFT checkpoint folder (policy, reference, critic trunk)" };
        var rm = new Option<string?>("--rm") { Description = "reward-model checkpoint folder (reward, critic)" };
        var run = new Option<string?>("--run") { Description = "the run folder of the PPO stage (journal, checkpoints, model): needed with the role learner" };
        var demoRun = new Option<string?>("--demo-run") { Description = "serve the PPO stage of the demo run in this folder (its sft/ and rm/, the synthetic task)" };
        var follow = new Option<bool>("--follow") { Description = "print the run's progress wherever its coordinator runs, and leave when the run ends (exit 1 if it failed)" };
        var set = Options.Overrides();
        var node = new Command("node", "start an Akka cluster member serving RLHF roles of a PPO run") { config, roles, seeds, hostname, port, sft, rm, run, demoRun, follow, set };
        node.SetAction(r => Cli.Run(() =>
        {
            var overrides = new List<string>(r.GetValue(set) ?? []);
            if (r.GetValue(roles) is { } list) overrides.Add($"akka.cluster.roles={HoconList(list.Split(','))}");
            if (r.GetValue(seeds) is { } s) overrides.Add($"akka.cluster.seed-nodes={HoconList(ClusterMember.SeedAddresses(s))}");
            if (r.GetValue(hostname) is { } h) overrides.Add($"akka.remote.dot-netty.tcp.hostname=\"{h}\"");
            if (r.GetValue(port) is { } p) overrides.Add($"akka.remote.dot-netty.tcp.port={p}");
            var merged = AppConfig.Load(r.GetValue(config), overrides);
            var settings = PipelineSettings.FromConfig(merged);
            var job = r.GetValue(demoRun) is { } demo ? PpoJob.Demo(merged, settings, demo)
                : PpoJob.FromFiles(merged, settings, r.GetValue(run) ?? ".", r.GetValue(sft), r.GetValue(rm), "node");
            if (merged.GetStringList("akka.cluster.roles", []).Contains("learner") && r.GetValue(run) is null && r.GetValue(demoRun) is null)
                throw new ArgumentException("node --roles learner needs --run DIR (the run folder the coordinator journals and checkpoints into)");
            var following = r.GetValue(follow);
            return NodeHost.RunAsync(job, untilRunEnds: following, Console.Out, following ? ProgressDisplay.Plain(Console.Out) : null).GetAwaiter().GetResult();
        }));
        return node;
    }

    private static string HoconList(IEnumerable<string> items) =>
        $"[{string.Join(",", items.Select(x => x.Trim()).Where(x => x.Length > 0).Select(x => $"\"{x}\""))}]";
}
