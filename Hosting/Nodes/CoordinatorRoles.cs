using AkkaRlhf.Actors.Messages;
using AkkaRlhf.Actors.Pipeline;
using AkkaRlhf.Cluster;
using Config = AkkaRlhf.Configuration.Config;
using Akka.Actor;
using R = AkkaRlhf.Runtime;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace AkkaRlhf.Hosting.Nodes;

/// <summary>
/// The trainer's side of a clustered PPO run (<see cref="IRemoteRoles"/> over <see cref="ClusterNode"/>): work for a
/// cluster role goes to its durable queue (<c>RoleRouter</c>), new policy weights go to every node of the role as a
/// chunked, hashed safetensors broadcast (or, with <c>akka.cluster.weights.shared-dir</c>, as a file there and a hashed
/// reference to it), and a node of the role that joins later gets the newest weights again.
/// </summary>
public sealed class CoordinatorRoles : IRemoteRoles
{
    /// <summary>What the weights of a role broadcast are called on the receiving nodes.</summary>
    public const string PolicyWeightsName = "policy";

    private readonly ClusterNode _node;
    private readonly ActorSystem _system;
    private readonly TimeSpan _askTimeout;
    private readonly TextWriter _log;
    private readonly Dictionary<string, (long Version, byte[] Data)> _newest = [];
    private readonly object _sharedGate = new();
    private (long Version, string Path)? _shared;

    private CoordinatorRoles(ClusterNode node, ActorSystem system, TimeSpan askTimeout, TextWriter log) =>
        (_node, _system, _askTimeout, _log) = (node, system, askTimeout, log);

    /// <summary>
    /// Joins the cluster of <c>akka.cluster</c> as the coordinator (roles "coordinator" and "learner" besides the configured
    /// ones) and waits at most <c>akka-rlhf.ppo.cluster-wait</c> until a node serves each of <paramref name="ppo"/>'s cluster roles.
    /// </summary>
    /// <exception cref="TimeoutException">A role has no node in time (the message says which and how to start one).</exception>
    public static async Task<CoordinatorRoles> JoinAsync(ActorSystem system, Config config, PpoSettings ppo, TextWriter log)
    {
        var settings = ClusterSettings.FromConfig(config);
        settings = settings with { Roles = [.. settings.Roles.Union(["coordinator", "learner"])] };
        var bridge = RabbitMqBridge.CreateSystem(system.Name, printClusterLog: false);
        _ = system.WhenTerminated.ContinueWith(_ => bridge.Terminate(), TaskScheduler.Default);
        var node = await ClusterNode.JoinAsync(bridge, settings);
        var roles = new CoordinatorRoles(node, system, ppo.AskTimeout, log);
        node.Subscribe(bridge.ActorOf(R.Props.CreateBy(() => new LateJoiners(roles)), "cluster-late-joiners"));
        log.WriteLine($"coordinator {node.SelfAddress} joined; waiting for nodes with roles [{string.Join(",", ppo.ClusterRoles)}]");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (ppo.ClusterRoles.Where(r => !node.Members.Any(m => m.Status == MemberStatus.Up && m.HasRole(r))).ToList() is { Count: > 0 } missing)
        {
            if (clock.Elapsed > ppo.ClusterWait)
                throw new TimeoutException($"no cluster node with the role(s) {string.Join(", ", missing)} joined within {ppo.ClusterWait.TotalSeconds:0} s " +
                    $"(akka-rlhf.ppo.cluster-wait); start one with ./akka-rlhf node --config FILE --roles {string.Join(",", missing)} --sft DIR --rm DIR");
            await Task.Delay(100);
        }
        log.WriteLine($"members: {string.Join(", ", node.Members.Where(m => m.Status == MemberStatus.Up))}");
        return roles;
    }

    /// <inheritdoc />
    public IActorRef Router(string role) => _system.ActorOf(RabbitMqBridge.ToCluster(_node.RoleRouter(role), _askTimeout));

    /// <inheritdoc />
    public void PublishWeights(string role, PolicyWeights weights)
    {
        byte[] data;
        lock (_newest)
        {
            data = _newest.TryGetValue(role, out var newest) && newest.Version == weights.Version
                ? newest.Data                                                           // sent again before a retry: already serialized
                : SafetensorsBytes(weights.State);
            _newest[role] = (weights.Version, data);
        }
        Publish(role, weights.Version, data);
    }

    private static byte[] SafetensorsBytes(IReadOnlyDictionary<string, Tensor> state)
    {
        using var bytes = new MemoryStream();
        Safetensors.SaveStateDict(bytes, new Dictionary<string, Tensor>(state), leaveOpen: true);
        return bytes.ToArray();
    }

    private void Publish(string role, long version, byte[] data)
    {
        Task sent;
        try
        {
            if (_node.Settings.WeightsSharedDir is { Length: > 0 } dir)
            {
                sent = _node.PublishWeightReferenceAsync(role, PolicyWeightsName, version, SharedFile(dir, version, data), data);
            }
            else sent = _node.PublishWeightsAsync(role, PolicyWeightsName, version, data);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            sent = Task.FromException(e);
        }
        _ = sent.ContinueWith(
            t => _log.WriteLine($"warning: the broadcast of policy v{version} to role {role} failed ({t.Exception!.GetBaseException().Message}); the next version supersedes it"),
            TaskContinuationOptions.OnlyOnFaulted);
    }

    /// <summary>
    /// The file of policy <paramref name="version"/> in the shared directory, written once per version (to a temporary name,
    /// then renamed: a reader never sees half a file; the trainer and a late joiner's re-send take turns); this
    /// coordinator's files older than the previous version are removed.
    /// </summary>
    private string SharedFile(string dir, long version, byte[] data)
    {
        lock (_sharedGate)
        {
            if (_shared is { } done && done.Version == version) return done.Path;
            Directory.CreateDirectory(dir);
            var prefix = $"{PolicyWeightsName}-{_node.SelfAddress.Port}-v";
            var path = Path.GetFullPath(Path.Combine(dir, $"{prefix}{version}.safetensors"));
            var temp = $"{path}.{Guid.NewGuid():N}.tmp";
            File.WriteAllBytes(temp, data);
            File.Move(temp, path, overwrite: true);
            foreach (var old in Directory.GetFiles(dir, prefix + "*.safetensors"))
                if (long.TryParse(Path.GetFileNameWithoutExtension(old)[prefix.Length..], out var v) && v < version - 1) File.Delete(old);
            _shared = (version, path);
            return path;
        }
    }

    /// <summary>A member of a role that joins mid-run gets the newest weights (the others ignore a version they have).</summary>
    private void OnMemberUp(Member member)
    {
        List<(string Role, long Version, byte[] Data)> again;
        lock (_newest) again = [.. _newest.Where(kv => member.HasRole(kv.Key)).Select(kv => (kv.Key, kv.Value.Version, kv.Value.Data))];
        foreach (var (role, version, data) in again)
        {
            _log.WriteLine($"{member.Address} joined with role {role}: sending it policy v{version}");
            Publish(role, version, data);
        }
    }

    private sealed class LateJoiners : R.ReceiveActor
    {
        public LateJoiners(CoordinatorRoles roles)
        {
            Receive<ClusterEvent.CurrentClusterState>(_ => { });
            Receive<ClusterEvent.MemberUp>(up =>
            {
                roles._log.WriteLine($"MemberUp: {up.Member}");
                roles.OnMemberUp(up.Member);
            });
            Receive<ClusterEvent.IMemberEvent>(e => roles._log.WriteLine($"{e.GetType().Name}: {e.Member}"));
        }
    }
}
