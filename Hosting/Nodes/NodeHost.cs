using AkkaRlhf.Models;
using System.Runtime.InteropServices;
using Akka.Actor;
using Akka.Cluster.Tools.Singleton;
using AkkaRlhf.Actors.Cluster;
using AkkaRlhf.Actors.Messages;
using AkkaRlhf.Actors.Pipeline;
using AkkaRlhf.Configuration;
using TorchSharp;

namespace AkkaRlhf.Hosting.Nodes;

/// <summary>
/// One cluster member of a PPO run (<c>./akka-rlhf node</c>, and <c>train ppo</c> with roles served by the cluster): an Akka
/// cluster system from the resolved configuration (<see cref="ClusterMember"/>), a <see cref="RoleWorker"/> for each RLHF
/// role of the node that a PPO block names as its <c>cluster.use-role</c> (rollout, reference, reward, critic: built from the
/// same checkpoints, settings and seed stream as the trainer would build them in one process), and with the role "learner"
/// the singleton manager of the run's coordinator (<see cref="PpoSingleton"/>). It prints membership changes and each
/// request it serves, and leaves the cluster gracefully on SIGTERM / Ctrl+C (Akka's coordinated shutdown).
/// </summary>
internal static class NodeHost
{
    /// <param name="job">The run (what the roles are built from; the learner's whole stage).</param>
    /// <param name="untilRunEnds">Leave and return once the run has ended (train ppo, node --follow); otherwise serve until stopped.</param>
    /// <param name="progress">Where the run's progress goes while this node follows it (node --follow); null: nowhere.</param>
    /// <returns>0, or 1 when the run this node followed failed.</returns>
    public static async Task<int> RunAsync(PpoJob job, bool untilRunEnds, TextWriter output, IProgressReporter? progress = null)
    {
        var config = job.Config;
        var roles = config.GetStringList("akka.cluster.roles", []);
        if (config.GetStringList("akka.cluster.seed-nodes", []).Count == 0)
            throw new ConfigurationException("a cluster member needs seed nodes: --seed-nodes HOST:PORT[,HOST:PORT] (or akka.cluster.seed-nodes)", path: "akka.cluster.seed-nodes");
        var ppo = job.Settings.Ppo;
        var served = roles.Select(role => (Role: role, Block: BlockOf(ppo, role))).Where(r => r.Block is not null).ToList();
        var learner = roles.Contains("learner");
        var cluster = ClusterSettings.Create(config);
        TorchThreads.SetProcessDefault(job.Settings.TorchThreads);
        torch.manual_seed(job.Settings.Seed);
        var models = served.Count > 0 ? job.Models() : null;                          // a missing checkpoint fails here, before joining

        var system = ActorSystems.Create(ClusterMember.SystemName, config,
            learner ? [ClusterMember.AkkaConfig, job.Persistence.ToAkkaConfig()] : [ClusterMember.AkkaConfig]);
        var ended = new TaskCompletionSource<RunEnded>(TaskCreationOptions.RunContinuationsAsynchronously);
        var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.TrySetResult(); });
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.TrySetResult(); });
        try
        {
            system.ActorOf(ClusterMember.MembershipLog.Props(output), "membership");
            foreach (var (role, block) in served)
            {
                // one role actor per node (a generator pool's slices are shared out over the rollout members instead)
                var settings = ppo.Roles.First(r => r.Block == block).Role.WithUseRole(null).WithPoolSize(1);
                var props = RoleRegistry.Default.Resolve(Trainer.RoleContextOf(block!, settings, models!, ppo), system);
                system.ActorOf(RoleWorker.Props(role, props, pool: false, ppo.Restarts, ppo.AskTimeout, cluster, output.WriteLine),
                    RoleDispatcher.WorkerName(role));
            }
            if (learner)
                system.ActorOf(ClusterSingletonManager.Props(PpoSingleton.Props(job, output), PoisonPill.Instance,
                    ClusterSingletonManagerSettings.Create(system).WithRole(PpoSingleton.Role)), PpoSingleton.ManagerName);
            if (untilRunEnds) system.ActorOf(RunFollower.Props(progress, ended), "run-follower");

            var self = Akka.Cluster.Cluster.Get(system);
            output.WriteLine($"node {self.SelfAddress} starting with roles [{string.Join(",", roles)}]" +
                (served.Count > 0 ? $", serving {string.Join(", ", served.Select(r => r.Role))}" : "") + (learner ? ", a candidate for the run's coordinator" : "") +
                "; Ctrl+C leaves");
            await Task.WhenAny(stop.Task, ended.Task);
            if (!ended.Task.IsCompleted) return 0;
            var outcome = await ended.Task;
            if (progress is not null)
                output.WriteLine(outcome.Error is null ? $"{outcome.Stage} run finished: model in {outcome.ModelDir}" : $"error: the {outcome.Stage} run failed: {outcome.Error}");
            return outcome.Error is null ? 0 : 1;
        }
        finally
        {
            await CoordinatedShutdown.Get(system).Run(CoordinatedShutdown.ClrExitReason.Instance)
                .WaitAsync(TimeSpan.FromSeconds(20)).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    /// <summary>The PPO block served under cluster role <paramref name="role"/>, if any (e.g. "generator" for "rollout").</summary>
    public static string? BlockOf(PpoSettings ppo, string role) =>
        ppo.Roles.Where(r => r.Block != "learner" && r.Role.Block.GetString("cluster.use-role", "") == role).Select(r => r.Block).FirstOrDefault();
}
