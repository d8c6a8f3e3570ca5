using AkkaRlhf.Actors.Messages;
using AkkaRlhf.Actors.Pipeline;
using AkkaRlhf.Cluster;
using Akka.Actor;
using Akka.Routing;
using R = AkkaRlhf.Runtime;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace AkkaRlhf.Hosting.Nodes;

/// <summary>
/// The RLHF roles of a cluster node. For each role of the node that a PPO block names as its
/// <c>cluster.use-role</c> (rollout, reference, reward, critic), the role actor is built exactly as the trainer
/// would build it in one process (same registry, models and seed stream) and serves the role's queue; a node takes
/// up to <c>akka.cluster.prefetch.role</c> work messages of a role at once (one generator each; the other roles take
/// them in turn, with their configured pool size). A rollout node also applies the learner's weight broadcasts to its
/// generators.
/// </summary>
public static class RoleHost
{
    /// <summary>The PPO block served under <paramref name="role"/>, if any (e.g. "generator" for "rollout").</summary>
    public static (string Block, RoleSettings Settings)? BlockOf(PpoSettings ppo, string role) =>
        ppo.Roles.Where(r => r.Block != "learner" && r.Role.Block.GetString("cluster.use-role", "") == role)
            .Select(r => ((string, RoleSettings)?)r).FirstOrDefault();

    /// <summary>
    /// Creates the role actors of <paramref name="roles"/> in <paramref name="system"/> (before the node joins, so that
    /// no weight broadcast can arrive before its receiver), each reached from the transport's <paramref name="bridge"/>
    /// system; <see cref="ServeAsync"/> then attaches them to their queues. Roles that no PPO block uses (e.g. "coordinator")
    /// are left out.
    /// </summary>
    public static IReadOnlyList<(string Role, R.IActorRef Actor)> Create(ActorSystem system, R.ActorSystem bridge, IEnumerable<string> roles,
        PpoSettings ppo, Func<PpoModels> models, RoleRegistry registry, int perNode, TextWriter log)
    {
        var created = new List<(string, R.IActorRef)>();
        foreach (var role in roles)
        {
            if (BlockOf(ppo, role) is not { } served) continue;
            var (block, settings) = served;
            // generators own a policy copy each, so a node runs one per work message it may hold; a trained role
            // (the critic) must stay one actor, and takes its messages one after another
            settings = (block == "generator" ? settings.WithPoolSize(perNode) : settings).WithUseRole(null);
            var actor = system.ActorOf(registry.Resolve(Trainer.RoleContextOf(block, settings, models(), ppo)), role);
            if (block == "generator")
            {
                var applier = system.ActorOf(Props.Create(() => new PolicyWeightsApplier(actor, settings.PoolSize > 1, log)), "policy-weights");
                bridge.EventStream.Subscribe(bridge.ActorOf(RabbitMqBridge.Forward(applier), "policy-weights"), typeof(WeightsReceived));
            }
            created.Add((role, bridge.ActorOf(RabbitMqBridge.FromCluster(actor, ppo.AskTimeout, message => LogWork(log, role, message)), role + "-work")));
        }
        return created;
    }

    /// <summary>Makes each created role actor a consumer of its role's queue on <paramref name="node"/>.</summary>
    public static async Task ServeAsync(ClusterNode node, IReadOnlyList<(string Role, R.IActorRef Actor)> roles)
    {
        foreach (var (role, actor) in roles) await node.ServeRoleAsync(role, actor);
    }

    /// <summary>Turns a verified weight broadcast (safetensors bytes) into <see cref="PolicyWeights"/> for the generators.</summary>
    private sealed class PolicyWeightsApplier : ReceiveActor
    {
        public PolicyWeightsApplier(IActorRef generators, bool pool, TextWriter log) =>
            Receive<WeightsReceived>(w => w.Name == CoordinatorRoles.PolicyWeightsName, w =>
            {
                Dictionary<string, Tensor> state;
                try { state = Safetensors.LoadStateDict(new MemoryStream(w.Data)); }
                catch (Exception e) { throw new InvalidDataException($"policy weights v{w.Version}: not a safetensors state dict ({e.Message})", e); }
                var weights = new PolicyWeights(w.Version, state);
                generators.Tell(pool ? new Broadcast(weights) : weights);
                log.WriteLine($"policy v{w.Version} applied ({w.Data.Length} bytes, sha256 {w.Sha256[..12]})");
            });
    }

    /// <summary>Prints one line per batch this node serves.</summary>
    private static void LogWork(TextWriter log, string name, object message)
    {
        if (message is GenerateRollouts g) log.WriteLine($"{name}: batch {g.BatchId} part {g.Part} ({g.Prompts.Count} prompts, policy >= v{g.MinPolicyVersion})");
        else if (message is IBatchMessage b) log.WriteLine($"{name}: {message.GetType().Name} batch {b.BatchId}");
    }
}
