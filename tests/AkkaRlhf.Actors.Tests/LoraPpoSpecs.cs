using AkkaRlhf.Actors.Pipeline;
using AkkaRlhf.Actors.Roles;
using AkkaRlhf.Models;
using TorchSharp;
using Xunit.Abstractions;
using static AkkaRlhf.Models.Scalars;
using static TorchSharp.torch;

namespace AkkaRlhf.Actors.Tests;

/// <summary>
/// PPO with LoRA (<c>akka-rlhf.ppo.lora</c>): one copy of the frozen base, adapters that train, a plain policy at the end;
/// and the copies full fine-tuning no longer makes (generators read the SFT weights, then each version's snapshot).
/// </summary>
public sealed class LoraPpoSpecs(ITestOutputHelper output) : RlhfTestKit(output)
{
    private static readonly LoraConfig Lora = new(Rank: 4, Alpha: 16, Dropout: 0, Targets: ["c_attn", "c_proj", "c_fc"]);

    /// <summary>True when <paramref name="a"/> and <paramref name="b"/> are one storage: a write through one is seen through the other.</summary>
    private static bool SameStorage(Tensor a, Tensor b)
    {
        using var noGrad = torch.no_grad();
        var (first, original) = (a.flatten()[0], a.flatten()[0].clone());
        var before = b.flatten()[0].item<float>();
        first.add_(One, One);
        var seen = b.flatten()[0].item<float>() != before;
        first.copy_(original);                                                             // exactly as it was
        return seen;
    }

    private static void AssertBitIdentical(Tensor expected, Tensor actual) =>
        Assert.Equal(expected.data<float>().ToArray().Select(BitConverter.SingleToInt32Bits), actual.data<float>().ToArray().Select(BitConverter.SingleToInt32Bits));

    [Fact]
    public void Lora_ppo_models_must_share_every_frozen_weight_and_train_only_adapters_and_the_value_head()
    {
        var sft = Tiny.Policy();
        var reward = new TrainedRewardModel(Tiny.Reward(), new Dictionary<string, double>());
        var ppo = Tiny.Ppo(4, reward: "reward-model").WithLora(Lora);
        var models = PpoModels.Create(sft, reward, Tiny.Tokenizer, ppo);
        var (policy, critic) = (models.Policy, models.Critic!);

        Assert.Same(sft, models.Reference);
        Assert.Same(sft, ModelCopies.Frozen(models.Reference, CPU));                      // the reference scorer reads it, no copy
        var sftParams = sft.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var (name, p) in policy.named_parameters())
            if (Models.Lora.IsAdapter(name)) Assert.True(p.requires_grad, name);
            else { Assert.False(p.requires_grad, name); Assert.True(SameStorage(sftParams[name], p), $"policy {name} is a copy"); }
        var rewardParams = reward.Model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var (name, p) in critic.named_parameters())
            if (Models.Lora.IsAdapter(name) || name.StartsWith("value_head.", StringComparison.Ordinal)) Assert.True(p.requires_grad, name);
            else { Assert.False(p.requires_grad, name); Assert.True(SameStorage(rewardParams[name], p), $"critic {name} is a copy"); }
        AssertBitIdentical(reward.Model.score.weight!, critic.value_head.weight!);          // seed 003: the critic starts as the reward model
        Assert.False(SameStorage(reward.Model.score.weight!, critic.value_head.weight!));   // ... with a head of its own, which trains

        var batch = Tiny.Batch(("a b", "good c"), ("c", "d e"));
        using (torch.no_grad())
            AssertBitIdentical(sft.forward(batch.Sequences, batch.AttentionMask), policy.forward(batch.Sequences, batch.AttentionMask));   // B = 0: pi = pi_ref

        var generator = ModelCopies.Clone(policy, CPU);                                      // a rollout generator's copy
        var policyParams = policy.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var (name, p) in generator.named_parameters())
            if (!Models.Lora.IsAdapter(name)) Assert.True(SameStorage(sftParams[name], p), $"generator {name} is a copy");
            else { Assert.False(SameStorage(policyParams[name], p), $"generator {name} is the learner's"); AssertBitIdentical(policyParams[name], p); }
        var snapshot = ModelCopies.Snapshot(policy);
        Assert.Equal(policy.state_dict().Keys.Where(Models.Lora.IsAdapter).Order(), snapshot.Keys.Order());   // weight syncs carry the adapters
        Assert.Throws<ArgumentException>(() => ModelCopies.LoadWeights(generator, sft.state_dict()));
    }

    [Fact]
    public void Full_fine_tuning_generators_must_read_the_sft_weights_then_each_snapshot_without_copying_them()
    {
        var sft = Tiny.Policy();
        var models = PpoModels.Create(sft, null, Tiny.Tokenizer, Tiny.Ppo(4));
        Assert.Same(sft, models.InitialPolicy);
        var sftParams = sft.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        var learnerParams = models.Policy.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        Assert.All(learnerParams, p => Assert.False(SameStorage(sftParams[p.Key], p.Value), $"the learner's {p.Key} must be its own"));

        var generator = ModelCopies.Alias(models.InitialPolicy!, CPU);
        foreach (var (name, p) in generator.named_parameters()) Assert.True(SameStorage(sftParams[name], p), $"generator {name} is a copy");

        using (var step = 0.01f.ToScalar()) using (torch.no_grad()) foreach (var p in models.Policy.parameters()) p.add_(step, One);      // the learner's update
        var snapshot = ModelCopies.Snapshot(models.Policy);
        ModelCopies.LoadWeights(generator, snapshot);
        foreach (var (name, p) in generator.named_parameters())
        {
            Assert.True(SameStorage(snapshot[name], p), $"generator {name} copied the snapshot");
            Assert.False(SameStorage(sftParams[name], p), $"generator {name} still reads the SFT weights");
        }
        var batch = Tiny.Batch(("a b", "good c"));
        using (torch.no_grad())
            AssertBitIdentical(models.Policy.forward(batch.Sequences, batch.AttentionMask), generator.forward(batch.Sequences, batch.AttentionMask));
        var fresh = Tiny.Policy().state_dict();
        foreach (var (name, t) in sft.state_dict()) Assert.True(t.equal(fresh[name]).all().item<bool>(), $"the SFT weights moved: {name}");
    }

    [Fact]
    public async Task A_lora_ppo_run_must_raise_the_reward_without_moving_the_base_and_return_a_plain_policy()
    {
        var sft = Tiny.Policy();
        var settings = Tiny.Settings with { Ppo = Tiny.Ppo(12).WithLora(Lora) with { LearnerOptions = Tiny.Ppo(12).LearnerOptions with { Lr = 1e-1 } } };
        var progress = new RecordingProgress();
        var data = new PipelineData(Tiny.Tokenizer, Tiny.Template, [], [], [], null, Tiny.Prompts);
        var (policy, _) = await new RlhfPipeline(Sys, settings, progress).Ppo(data, sft, null);

        var rewards = progress.Steps.Where(s => s.Stage == "ppo").Select(s => s.Metrics["reward"]).ToList();
        Output?.WriteLine(string.Join(", ", rewards.Select(r => r.ToString("F3"))));
        Assert.True(rewards.TakeLast(2).Average() > rewards.Take(2).Average() + 0.3, string.Join(", ", rewards));

        var fresh = Tiny.Policy().state_dict();                                               // the same seed: the SFT weights
        foreach (var (name, t) in sft.state_dict()) Assert.True(t.equal(fresh[name]).all().item<bool>(), $"the shared base moved: {name}");
        Assert.Empty(Models.Lora.Adapters(policy));
        var trained = policy.state_dict();
        Assert.Equal(fresh.Keys.Order(), trained.Keys.Order());
        var moved = fresh.Where(kv => !kv.Value.equal(trained[kv.Key]).all().item<bool>()).Select(kv => kv.Key).ToList();
        Assert.NotEmpty(moved);
        Assert.All(moved, name => Assert.Matches(@"\.(c_attn|c_proj|c_fc)\.weight$", name));   // the adapters, merged into their projections
    }
}
