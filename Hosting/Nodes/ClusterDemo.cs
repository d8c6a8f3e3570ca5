using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using AkkaRlhf.Actors.Messages;
using AkkaRlhf.Actors.Pipeline;
using AkkaRlhf.Hosting.Commands;
using AkkaRlhf.Hosting.Reporting;

namespace AkkaRlhf.Hosting.Nodes;

/// <summary>
/// The demo's PPO stage across member processes on loopback (<c>demo --cluster N [--chaos kill-rollout@K]</c>). This
/// process joins as the seed with the role "driver" (no model), starts N <c>node --demo-run RUN</c> processes — the
/// coordinator and learner, a rollout member, the scorers and critic (more rollout members when N &gt; 3) — follows the run
/// (<see cref="RunFollower"/>) into the demo's table, and with chaos SIGKILLs the rollout member while iteration K runs and
/// starts a replacement. Each member's output goes to <c>RUN/ppo/nodes/NAME.log</c>; the policy weights go through
/// <c>RUN/ppo/weights</c> (one machine: shared storage).
/// </summary>
internal sealed class ClusterDemo
{
    /// <summary>A <c>--chaos</c> plan: kill the rollout member at iteration <paramref name="Iteration"/>.</summary>
    public sealed record Chaos(int Iteration)
    {
        public static Chaos? Parse(string? text)
        {
            if (text is null) return null;
            var parts = text.Split('@');
            return parts.Length == 2 && parts[0] == "kill-rollout" && int.TryParse(parts[1], out var k) && k >= 2 ? new Chaos(k)
                : throw new AkkaRlhf.Configuration.ConfigurationException($"--chaos {text}: expected kill-rollout@ITERATION with ITERATION >= 2 (e.g. kill-rollout@10)", path: "--chaos");
        }
    }

    private sealed class Member(string name, string roles, Process process, Task logged)
    {
        public string Name { get; } = name;
        public string Roles { get; } = roles;
        public Process Process { get; } = process;
        public Task Logged { get; } = logged;
        public string Status { get; set; } = "running";
    }

    private readonly string _runDir;
    private readonly RunFolders.Invocation _invocation;
    private readonly IProgressReporter _progress;
    private readonly Chaos? _chaos;
    private readonly List<Member> _members = [];
    private readonly List<ClusterEvent> _events = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private int _port, _rollouts;

    private ClusterDemo(string runDir, RunFolders.Invocation invocation, IProgressReporter progress, Chaos? chaos) =>
        (_runDir, _invocation, _progress, _chaos) = (runDir, invocation, progress, chaos);

    /// <summary>Runs the stage on <paramref name="nodes"/> members; returns its end and the cluster section of the report.</summary>
    public static async Task<(RunEnded Ended, ClusterReport Report)> RunAsync(string runDir, RunFolders.Invocation invocation, int nodes,
        Chaos? chaos, IProgressReporter progress)
    {
        if (nodes < 3) throw new ArgumentException($"--cluster {nodes}: at least 3 members (coordinator and learner, rollout, scorers and critic)");
        return await new ClusterDemo(runDir, invocation, progress, chaos).RunAsync(nodes);
    }

    private async Task<(RunEnded, ClusterReport)> RunAsync(int nodes)
    {
        _port = FreePort();
        var config = AppConfig.Load(_invocation.ConfigFile, [.. Overrides(), "akka.cluster.roles=[\"driver\"]", $"akka.remote.dot-netty.tcp.port={_port}"]);
        var system = ActorSystems.Create(ClusterMember.SystemName, config, ClusterMember.AkkaConfig);
        var ended = new TaskCompletionSource<RunEnded>(TaskCreationOptions.RunContinuationsAsynchronously);
        system.ActorOf(RunFollower.Props(_progress, ended, OnStep), "demo-follower");
        try
        {
            Start("coordinator", "learner");
            Start(NextRollout(), "rollout");
            Start("scorers", "reward,reference,critic");
            for (var i = 3; i < nodes; i++) Start(NextRollout(), "rollout");
            while (!ended.Task.IsCompleted)
            {
                if (_members.Where(m => m.Roles == "learner").All(m => m.Process.HasExited))
                    throw new InvalidOperationException($"the coordinator member exited before the run ended; see {LogOf("coordinator")}");
                await Task.WhenAny(ended.Task, Task.Delay(500));
            }
            var result = await ended.Task;
            if (result.Error is not null) throw new InvalidOperationException($"the clustered ppo run failed: {result.Error} (see {Path.Combine(_runDir, "ppo", "nodes")})");
            await StopAsync(system);
            return (result, new ClusterReport([.. _members.Select(m => new ClusterNode(m.Name, m.Roles, m.Process.Id, m.Status))], _events,
                [.. result.Work, WorkAccounting.Sum(result.Work)]));
        }
        finally { await StopAsync(system); }
    }

    /// <summary>Every member still running leaves gracefully (SIGTERM), then this process leaves.</summary>
    private async Task StopAsync(ActorSystem system)
    {
        foreach (var m in _members.Where(m => !m.Process.HasExited))
        {
            Posix.Kill(m.Process.Id, Posix.SigTerm);                                       // a graceful leave
            m.Status = "left";
        }
        foreach (var m in _members)
            if (!m.Process.WaitForExit(TimeSpan.FromSeconds(20))) m.Process.Kill(entireProcessTree: true);
        await Task.WhenAll(_members.Select(m => m.Logged));
        await CoordinatedShutdown.Get(system).Run(CoordinatedShutdown.ClrExitReason.Instance).WaitAsync(TimeSpan.FromSeconds(20))
            .ContinueWith(_ => { }, TaskScheduler.Default);
    }

    /// <summary>Chaos: while iteration K runs (iteration K-1 reported), SIGKILL the rollout member and start a replacement.</summary>
    private void OnStep(int step)
    {
        if (_chaos is not { } chaos || _chaosDone || step < chaos.Iteration - 1) return;
        _chaosDone = true;
        var victim = _members.First(m => m.Roles == "rollout" && m.Status == "running");
        victim.Process.Kill();                                                            // SIGKILL
        victim.Status = "killed";
        _events.Add(new ClusterEvent(step + 1, _clock.Elapsed.TotalSeconds, $"SIGKILL {victim.Name} (pid {victim.Process.Id})"));
        var replacement = Start(NextRollout(), "rollout");
        _events.Add(new ClusterEvent(step + 1, _clock.Elapsed.TotalSeconds, $"started {replacement.Name} (pid {replacement.Process.Id})"));
    }

    private bool _chaosDone;

    private string NextRollout() => $"rollout-{++_rollouts}";

    private string LogOf(string name) => Path.Combine(_runDir, "ppo", "nodes", name + ".log");

    /// <summary>Every member's overrides: the user's, the roles served by the cluster, weights through the run folder.</summary>
    private IEnumerable<string> Overrides() => _invocation.Overrides.Concat(
    [
        "akka-rlhf.ppo.generator.cluster.enabled=on", "akka-rlhf.ppo.reference.cluster.enabled=on",
        "akka-rlhf.ppo.reward.cluster.enabled=on", "akka-rlhf.ppo.critic.cluster.enabled=on",
        $"akka-rlhf.cluster.weights.shared-dir=\"{Path.Combine(_runDir, "ppo", "weights")}\"",
        "akka.remote.dot-netty.tcp.hostname=\"127.0.0.1\"", $"akka.cluster.seed-nodes=[\"akka.tcp://{ClusterMember.SystemName}@127.0.0.1:{_port}\"]",
    ]);

    private Member Start(string name, string roles)
    {
        var cli = Environment.ProcessPath!;
        var start = new ProcessStartInfo(cli) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(cli) == "dotnet") start.ArgumentList.Add(typeof(ClusterDemo).Assembly.Location);
        foreach (var a in new[] { "node", "--demo-run", _runDir, "--roles", roles, "--port", "0" }) start.ArgumentList.Add(a);
        if (_invocation.ConfigFile is { } file) { start.ArgumentList.Add("--config"); start.ArgumentList.Add(file); }
        foreach (var o in Overrides()) { start.ArgumentList.Add("--set"); start.ArgumentList.Add(o); }
        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {cli}");
        Directory.CreateDirectory(Path.GetDirectoryName(LogOf(name))!);
        var log = new StreamWriter(LogOf(name)) { AutoFlush = true };
        var logged = Task.WhenAll(process.StandardOutput.BaseStream.CopyToAsync(log.BaseStream), process.StandardError.BaseStream.CopyToAsync(log.BaseStream))
            .ContinueWith(_ => log.Dispose(), TaskScheduler.Default);
        var member = new Member(name, roles, process, logged);
        _members.Add(member);
        return member;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>POSIX signals for member processes (.NET's Process.Kill sends only SIGKILL).</summary>
internal static class Posix
{
    public const int SigTerm = 15;

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static extern int Kill(int pid, int signal);
}
