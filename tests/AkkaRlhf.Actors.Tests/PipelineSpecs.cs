using AkkaRlhf.Actors.Messages;
using AkkaRlhf.Actors.Pipeline;
using AkkaRlhf.Actors.Roles;
using AkkaRlhf.Models;

using TorchSharp;
using static AkkaRlhf.Models.Scalars;
using static TorchSharp.torch;
using Xunit.Abstractions;

namespace AkkaRlhf.Actors.Tests;

public sealed class PipelineSpecs(ITestOutputHelper output) : RlhfTestKit(output)
{
    private async Task<(StageFinished Done, RecordingProgress Progress, GptLM Policy)> RunPpo(PpoSettings settings, RoleRegistry? registry = null, bool critic = true)
    {
        var policy = Tiny.Policy();
        var progress = new RecordingProgress();
        var prompts = Sys.ActorOf(PromptSource.Props(Tiny.Prompts, Tiny.Tokenizer, Tiny.Template, 1));
        var trainer = Sys.ActorOf(Trainer.Props(settings, Tiny.Models(policy, critic), prompts, progress, registry));
        var done = await trainer.Ask<StageFinished>(new RunStage(1, settings.Iterations), TimeSpan.FromSeconds(60));
        return (done, progress, policy);
    }

    [Fact]
    public async Task The_rule_based_reward_must_rise_over_a_few_ppo_iterations()
    {
        var (done, progress, _) = await RunPpo(Tiny.Ppo(iterations: 8));
        var steps = progress.Steps.Where(s => s.Stage == "ppo").ToList();
        Assert.Equal(Enumerable.Range(1, 8), steps.Select(s => s.Step));
        Assert.Equal(Enumerable.Range(1, 8).Select(v => (double)v), steps.Select(s => s.Metrics["policy_version"]));  // one update, one version per iteration
        foreach (var key in new[] { "t_generate", "t_score", "t_learn", "t_sync", "kl", "value_loss", "clip_fraction" })
            Assert.True(steps.All(s => s.Metrics.ContainsKey(key)), key);
        var rewards = steps.Select(s => s.Metrics["reward"]).ToList();
        Output?.WriteLine(string.Join(", ", rewards.Select(r => r.ToString("F3"))));
        Assert.True(rewards.TakeLast(2).Average() > rewards.Take(2).Average() + 0.3, string.Join(", ", rewards));
        Assert.Equal("ppo", done.Stage);
    }

    [Fact]
    public async Task The_policy_and_critic_learning_rates_must_warm_up_and_decay_by_update()
    {
        var ppo = Tiny.Ppo(iterations: 6) is var p ? p with
        {
            LearnerOptions = p.LearnerOptions with { Lr = 1e-2, WarmupIterations = 2, MinLrRatio = 0.1 },
            CriticOptions = p.CriticOptions with { Lr = 3e-3, WarmupIterations = 1, MinLrRatio = 0.5 },
        } : null!;
        var (_, progress, _) = await RunPpo(ppo);
        var steps = progress.Steps.Where(s => s.Stage == "ppo").ToList();
        var (policy, critic) = (new Models.Training.CosineSchedule(1e-2, 1e-3, 2, 6), new Models.Training.CosineSchedule(3e-3, 1.5e-3, 1, 6));
        Assert.Equal(Enumerable.Range(0, 6).Select(u => policy.LearningRate(u)), steps.Select(s => s.Metrics["lr"]), (a, b) => Math.Abs(a - b) < 1e-12);
        Assert.Equal(Enumerable.Range(0, 6).Select(u => critic.LearningRate(u)), steps.Select(s => s.Metrics["critic_lr"]), (a, b) => Math.Abs(a - b) < 1e-12);
        Assert.Equal(1e-2 / 3, steps[0].Metrics["lr"], 12);                           // warm-up: lr (u + 1) / (W + 1)
        Assert.True(steps[^1].Metrics["lr"] < steps[2].Metrics["lr"]);                  // then down towards 1e-3

        var e = Assert.Throws<Configuration.ConfigurationException>(() => PipelineSettings.FromConfig(
            Configuration.ConfigurationFactory.ParseString("akka-rlhf.ppo.critic.min-lr-ratio = 2").WithFallback(PipelineSettings.Reference)));
        Assert.Contains("akka-rlhf.ppo.critic.min-lr-ratio = 2 must be between 0 and 1", e.Message);
    }

    [Fact]
    public async Task A_failing_model_call_must_be_supervised_and_the_batch_retried_not_lost()
    {
        var (calls, instances) = (new CallCounter(), new CallCounter());
        var registry = RoleRegistry.Default.Register("flaky", _ => CountingScorer.Props(calls, failures: 1, instances));
        var (done, progress, _) = await RunPpo(Tiny.Ppo(iterations: 2, reward: "flaky"), registry);
        Assert.Equal(1, done.Summary["retries"]);
        Assert.Equal(2, instances.Count);                                              // supervised: created, then restarted once
        Assert.Equal(3, calls.Count);                                                  // the failed batch was asked again, then one more
        Assert.Equal(2, progress.Steps.Count(s => s.Stage == "ppo"));                  // no batch lost
    }

    [Fact]
    public async Task The_next_prompts_must_be_asked_for_while_a_batch_generates_and_none_after_the_last()
    {
        var progress = new RecordingProgress();
        var asked = new List<(long Id, int StepsDone)>();
        var source = Sys.ActorOf(PromptSource.Props(Tiny.Prompts, Tiny.Tokenizer, Tiny.Template, 1));
        var prompts = Sys.ActorOf(Props.Create(() => new AskedWhen(source, progress, asked)));
        var settings = Tiny.Ppo(iterations: 3);
        var trainer = Sys.ActorOf(Trainer.Props(settings, Tiny.Models(Tiny.Policy()), prompts, progress));
        await trainer.Ask<StageFinished>(new RunStage(1, settings.Iterations), TimeSpan.FromSeconds(60));

        lock (asked)
            Assert.Equal([(1L, 0), (2L, 0), (3L, 1)], asked);                         // batch k + 1's prompts before iteration k ends; no 4th
    }

    /// <summary>Forwards prompt requests to the source, noting each batch id with the PPO steps completed when it came.</summary>
    private sealed class AskedWhen : ReceiveActor
    {
        public AskedWhen(IActorRef source, RecordingProgress progress, List<(long, int)> asked) =>
            Receive<RequestPrompts>(r =>
            {
                lock (asked) asked.Add((r.BatchId, progress.Steps.Count(s => s.Stage == "ppo")));
                source.Forward(r);
            });
    }

    [Fact]
    public async Task A_short_sync_run_with_a_fixed_seed_must_be_reproducible()
    {
        var settings = Tiny.Ppo(iterations: 3);
        settings = settings.WithGenerator(settings.Generator.WithPoolSize(1));         // a single generator, no router
        var (first, _, a) = await RunPpo(settings);
        var (second, _, b) = await RunPpo(settings);
        foreach (var (name, t) in a.state_dict())
            Assert.True(t.sub(b.state_dict()[name]).abs().max().ToDouble() == 0, name);
        Assert.Equal(first.Summary["reward"], second.Summary["reward"]);
        Assert.Equal(first.Summary["kl"], second.Summary["kl"]);
    }

    [Fact]
    public async Task Async_mode_must_overlap_generation_and_keep_staleness_within_the_bound()
    {
        var (done, progress, _) = await RunPpo(Tiny.Ppo(iterations: 4).WithMode(PipelineMode.Async).WithMaxStaleness(1));
        var staleness = progress.Steps.Select(s => s.Metrics["staleness"]).ToList();
        Assert.All(staleness, s => Assert.InRange(s, 0, 1));
        Assert.Equal(0, done.Summary["dropped_batches"]);                             // within the bound: nothing regenerated
        Assert.Equal(4, done.Summary["policy_version"]);
    }

    [Fact]
    public async Task Async_mode_must_train_only_on_batches_within_max_staleness()
    {
        var settings = Tiny.Ppo(iterations: 3).WithMode(PipelineMode.Async).WithMaxStaleness(0);
        var (done, progress, _) = await RunPpo(settings.WithGenerator(settings.Generator.WithPoolSize(1)));   // also: a single generator, no router
        Assert.All(progress.Steps, s => Assert.Equal(0, s.Metrics["staleness"]));     // older batches were dropped and regenerated
        Assert.Equal(3, progress.Steps.Count);
    }

    [Fact]
    public async Task The_grpo_plug_in_must_train_without_a_critic()
    {
        var (done, progress, _) = await RunPpo(Tiny.Ppo(iterations: 2, learner: "grpo"), critic: false);
        Assert.Equal(2, progress.Steps.Count);
        Assert.True(progress.Steps.All(s => s.Metrics.ContainsKey("kl_loss") && !s.Metrics.ContainsKey("value_loss")));
        Assert.Equal(2, done.Summary["policy_version"]);
    }

    [Fact]
    public void A_role_type_may_be_an_assembly_qualified_name_from_another_assembly()
    {
        var settings = Tiny.Role(typeof(ExternalScorer).AssemblyQualifiedName!, "");
        var props = RoleRegistry.Default.Resolve(new RoleContext("reward", settings, Tiny.Models(Tiny.Policy()), Tiny.Ppo(1), 1), Sys);
        var scorer = Sys.ActorOf(props);
        scorer.Tell(new ScoreRewards(3, Tiny.Batch(("a", "good"))));
        ExpectMsg<RewardScores>(r => r.BatchId == 3 && r.Scores.ToDouble() == 1.5);
    }

    [Fact]
    public void An_unknown_role_type_must_be_a_clear_configuration_error()
    {
        var settings = Tiny.Role("no-such-role", "");
        var e = Assert.Throws<Configuration.ConfigurationException>(() =>
            RoleRegistry.Default.Resolve(new RoleContext("learner", settings, Tiny.Models(Tiny.Policy()), Tiny.Ppo(1), 1), Sys));
        Assert.Contains("no-such-role", e.Message);
        Assert.Contains("grpo", e.Message);
    }

    [Fact]
    public void A_cuda_device_without_a_gpu_must_be_a_clear_error()
    {
        if (torch.cuda.is_available()) return;
        var e = Assert.ThrowsAny<Exception>(() => Tiny.Role("reference", "device = \"cuda:0\"").ParsedDevice);
        Assert.Contains("CUDA is not available", e.Message);
    }
}

/// <summary>A role from "another assembly": found by its assembly-qualified name, built from a RoleContext.</summary>
public sealed class ExternalScorer : RoleActor
{
    static readonly Scalar Score = 1.5.ToScalar();

    public ExternalScorer(RoleContext context) : base(context.Device) =>
        ReceiveBatch<ScoreRewards>(r => new RewardScores(r.BatchId, torch.full([r.Batch.Count], Score)));
}
