using AkkaRlhf.Actors.Messages;
using AkkaRlhf.Actors.Pipeline;
using AkkaRlhf.Actors.Roles;
using AkkaRlhf.Configuration;
using AkkaRlhf.Models;
using Akka.Routing;
using Xunit.Abstractions;

namespace AkkaRlhf.Actors.Tests;

/// <summary>
/// The trainer with roles "served elsewhere" (<c>cluster.enabled = on</c>) through an in-memory <see cref="IRemoteRoles"/>:
/// the role actors live outside the trainer, built from the same context, and weights travel apart from the work, late,
/// as over a broker. The real implementation over RabbitMQ is covered by the multi-process ClusterPpoSpecs.
/// </summary>
public sealed class RemoteRolesSpecs(ITestOutputHelper output) : RlhfTestKit(output)
{
    /// <summary>Each cluster role is one actor of this system; weight broadcasts are delivered after a delay.</summary>
    private sealed class InMemoryRoles(ActorSystem system, PpoSettings settings, PpoModels models, TimeSpan weightDelay) : IRemoteRoles
    {
        private readonly Dictionary<string, IActorRef> _roles = [];
        public List<long> Published { get; } = [];

        public IActorRef Router(string role)
        {
            var (block, roleSettings) = settings.Roles.Single(r => r.Role.UseRole == role);
            var props = RoleRegistry.Default.Resolve(Trainer.RoleContextOf(block, roleSettings.WithUseRole(null), models, settings), system);
            return _roles[role] = system.ActorOf(props, "served-" + role);
        }

        public void PublishWeights(string role, PolicyWeights weights)
        {
            lock (Published) Published.Add(weights.Version);
            var target = _roles[role];
            var message = settings.Generator.PoolSize > 1 ? new Broadcast(weights) : (object)weights;
            _ = Task.Delay(weightDelay).ContinueWith(_ => target.Tell(message));       // the work for the next batch gets there first
        }
    }

    private async Task<(StageFinished Done, RecordingProgress Progress)> Run(PpoSettings settings, IRemoteRoles? remote, GptLM policy)
    {
        var progress = new RecordingProgress();
        var prompts = Sys.ActorOf(PromptSource.Props(Tiny.Prompts, Tiny.Tokenizer, Tiny.Template, 1));
        var trainer = Sys.ActorOf(Trainer.Props(settings, Tiny.Models(policy), prompts, progress, remote: remote));
        return (await trainer.Ask<StageFinished>(new RunStage(1, settings.Iterations), TimeSpan.FromSeconds(60)), progress);
    }

    [Fact]
    public async Task Trainer_must_train_exactly_as_locally_when_generators_and_scorers_are_served_elsewhere_and_weights_arrive_late()
    {
        var local = Tiny.Ppo(iterations: 4);
        var clustered = local with
        {
            Generator = local.Generator.WithUseRole("rollout"),
            Reference = local.Reference.WithUseRole("reference"),
            Reward = local.Reward.WithUseRole("reward"),
            Critic = local.Critic.WithUseRole("critic"),
        };
        var (expected, localSteps) = await Run(local, null, Tiny.Policy());
        var policy = Tiny.Policy();
        var roles = new InMemoryRoles(Sys, clustered, Tiny.Models(Tiny.Policy()), TimeSpan.FromMilliseconds(150));
        var (actual, remoteSteps) = await Run(clustered, roles, policy);

        Assert.Equal([1L, 2L, 3L, 4L], roles.Published);                                    // one broadcast per update
        Assert.Equal(0, actual.Summary["dropped_batches"]);                                  // the late weights were waited for, not regenerated around
        Assert.Equal([1.0, 2.0, 3.0, 4.0], remoteSteps.Steps.Select(s => s.Metrics["batch_id"]));
        foreach (var key in new[] { "reward", "kl", "policy_loss", "value_loss" })
            Assert.Equal(localSteps.Steps.Select(s => s.Metrics[key]), remoteSteps.Steps.Select(s => s.Metrics[key]));
    }

    [Fact]
    public void Trainer_must_refuse_a_clustered_role_when_the_run_is_not_part_of_a_cluster()
    {
        var settings = Tiny.Ppo(iterations: 1);
        settings = settings with { Reward = settings.Reward.WithUseRole("reward") };
        var error = Assert.Throws<InvalidOperationException>(() => Trainer.Props(settings, Tiny.Models(Tiny.Policy()), Sys.DeadLetters, new RecordingProgress()));
        Assert.Contains("akka-rlhf.ppo.reward.cluster.enabled = on, but this run is not part of a cluster", error.Message);
    }

    private static PpoSettings Parse(string hocon) =>
        PpoSettings.FromConfig(ConfigurationFactory.ParseString(hocon).WithFallback(ConfigurationFactory.FromResource(typeof(PpoSettings).Assembly))
            .GetConfig("akka-rlhf.ppo"), 1);

    [Fact]
    public void Role_blocks_must_stay_local_by_default_and_name_their_cluster_role_when_enabled()
    {
        Assert.Empty(Parse("").ClusterRoles);
        var settings = Parse("akka-rlhf.ppo { generator.cluster.enabled = on, reward.cluster { enabled = on, use-role = scorers } }");
        Assert.Equal(("rollout", "scorers"), (settings.Generator.UseRole, settings.Reward.UseRole));
        Assert.Null(settings.Reference.UseRole);
        Assert.Equal(["rollout", "scorers"], settings.ClusterRoles);
    }

    [Fact]
    public void A_clustered_learner_or_two_blocks_on_one_cluster_role_must_be_a_clear_configuration_error()
    {
        var learner = Assert.Throws<ConfigurationException>(() => Parse("akka-rlhf.ppo.learner.cluster.enabled = on"));
        Assert.Contains("akka-rlhf.ppo.learner.cluster.enabled = on", learner.Message);
        var shared = Assert.Throws<ConfigurationException>(() => Parse(
            "akka-rlhf.ppo { reward.cluster { enabled = on, use-role = scorers }, reference.cluster { enabled = on, use-role = scorers } }"));
        Assert.Contains("reference and reward both use the cluster role \"scorers\"", shared.Message);
    }
}
