using AkkaRlhf.Actors.Messages;
using AkkaRlhf.Actors.Pipeline;
using AkkaRlhf.Actors.Roles;
using TorchSharp;
using static AkkaRlhf.Models.Scalars;
using static TorchSharp.torch;
using Xunit.Abstractions;

namespace AkkaRlhf.Actors.Tests;

public sealed class LearnerSpecs(ITestOutputHelper output) : RlhfTestKit(output)
{
    private static Experience Experience()
    {
        var batch = Tiny.Batch(("a", "good b"), ("b", "c"), ("c d", "good good"), ("e", "bad"));
        var n = batch.ResponseLength;
        var advantages = torch.tensor(new float[] { 1, 1, 1, -1, -1, 0, 1, 1, 1, -1, -1, 0 }, [4, n]) * batch.ActionMask;
        return new Experience(batch, torch.zeros([4, n]), advantages, null, torch.zeros([4, n]), torch.zeros([4]), 0);
    }

    [Fact]
    public void Learner_must_publish_a_new_version_after_each_update()
    {
        var policy = Tiny.Policy();
        var before = policy.state_dict()["transformer.wte.weight"].clone();
        var learner = Sys.ActorOf(PpoLearner.Props(policy, (Tiny.Settings.Ppo.LearnerOptions with { Lr = 1e-2, Epochs = 1 }), CPU, 1));
        learner.Tell(new TrainPolicy(1, Experience()));
        var first = ExpectMsg<PolicyUpdated>();
        learner.Tell(new TrainPolicy(2, Experience()));
        var second = ExpectMsg<PolicyUpdated>();
        Assert.Equal((1L, 2L), (first.Version, second.Version));
        Assert.Equal((1L, 2L), (first.Weights.Version, second.Weights.Version));
        Assert.Equal(1, first.BatchId);
        var published = second.Weights.State["transformer.wte.weight"];
        Assert.False(published.sub(before).abs().max().ToDouble() == 0, "the published weights must be the updated ones");
        Assert.True(published.sub(policy.state_dict()["transformer.wte.weight"]).abs().max().ToDouble() == 0);
    }

    [Fact]
    public void Learner_must_drop_a_duplicate_batch_and_not_train_twice()
    {
        var learner = Sys.ActorOf(PpoLearner.Props(Tiny.Policy(), (Tiny.Settings.Ppo.LearnerOptions with { Epochs = 1 }), CPU, 1));
        var experience = Experience();
        learner.Tell(new TrainPolicy(1, experience));
        ExpectMsg<PolicyUpdated>(u => u.Version == 1);
        learner.Tell(new TrainPolicy(1, experience));
        ExpectMsg<PolicyUpdated>(u => u.Version == 1);
        learner.Tell(new TrainPolicy(2, experience));
        ExpectMsg<PolicyUpdated>(u => u.Version == 2);
    }

    [Fact]
    public void Learner_must_account_for_the_batch_it_trained_on()
    {
        var learner = Sys.ActorOf(PpoLearner.Props(Tiny.Policy(), (Tiny.Settings.Ppo.LearnerOptions with { Epochs = 1 }), CPU, 1));
        learner.Tell(new TrainPolicy(17, Experience()));
        var updated = ExpectMsg<PolicyUpdated>();
        Assert.Equal((17.0, 1.0), (updated.Metrics["batch_id"], updated.Metrics["policy_version"]));
    }

    [Fact]
    public void Generator_must_hold_a_request_for_a_newer_policy_until_its_weights_arrive()
    {
        var generator = Sys.ActorOf(RolloutGenerator.Props(Tiny.Policy(), (Tiny.Settings.Ppo.Sampling with { MaxNewTokens = 4 }), Tiny.Tokenizer.PadId,
            Tiny.Tokenizer.EosId, 1, CPU));
        var prompts = new[] { Tiny.Template.EncodePrompt(Tiny.Tokenizer, "a b") };
        generator.Tell(new GenerateRollouts(5, 0, prompts, MinPolicyVersion: 1));         // work overtook the weights (two queues)
        generator.Tell(new GenerateRollouts(6, 0, prompts, MinPolicyVersion: 0));         // an older policy is enough for this one
        Assert.Equal((6L, 0L), ExpectMsg<RolloutBatch>() is var early ? (early.BatchId, early.PolicyVersion) : default);
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));

        generator.Tell(new PolicyWeights(1, ModelCopies.Snapshot(Tiny.Policy(seed: 22))));
        var held = ExpectMsg<RolloutBatch>();
        Assert.Equal((5L, 1L), (held.BatchId, held.PolicyVersion));
    }

    [Fact]
    public void Generators_must_use_the_newest_policy_version()
    {
        var generator = Sys.ActorOf(RolloutGenerator.Props(Tiny.Policy(), (Tiny.Settings.Ppo.Sampling with { MaxNewTokens = 4 }), Tiny.Tokenizer.PadId,
            Tiny.Tokenizer.EosId, 1, CPU));
        var v2 = Tiny.Policy(seed: 22);
        generator.Tell(new PolicyWeights(2, ModelCopies.Snapshot(v2)));
        generator.Tell(new PolicyWeights(1, ModelCopies.Snapshot(Tiny.Policy(seed: 11))));   // older: ignored
        var prompts = new[] { Tiny.Template.EncodePrompt(Tiny.Tokenizer, "a b"), Tiny.Template.EncodePrompt(Tiny.Tokenizer, "c") };
        generator.Tell(new GenerateRollouts(3, 0, prompts, 2));
        var rollout = ExpectMsg<RolloutBatch>();
        Assert.Equal((3L, 2L), (rollout.BatchId, rollout.PolicyVersion));
        Assert.Equal(4, rollout.Batch.Count);

        // the log-probs it returns are those of version 2's weights
        using var noGrad = torch.no_grad();
        var expected = Scoring.ResponseLogProbs(v2, rollout.Batch);
        Assert.True(expected.sub(rollout.LogProbs).abs().max().ToDouble() < 1e-4);
    }

    [Fact]
    public void A_sync_learner_must_reply_its_own_tensors_and_its_generator_sample_each_update_with_them()
    {
        var policy = Tiny.Policy();
        var learner = Sys.ActorOf(PpoLearner.Props(policy, (Tiny.Settings.Ppo.LearnerOptions with { Lr = 1e-2, Epochs = 1 }), CPU, 1, shareWeights: true));
        var generator = Sys.ActorOf(RolloutGenerator.Props(policy, (Tiny.Settings.Ppo.Sampling with { MaxNewTokens = 4 }), Tiny.Tokenizer.PadId,
            Tiny.Tokenizer.EosId, 1, CPU));
        var prompts = new[] { Tiny.Template.EncodePrompt(Tiny.Tokenizer, "a b"), Tiny.Template.EncodePrompt(Tiny.Tokenizer, "c") };
        var updates = new List<PolicyUpdated>();
        for (var v = 1; v <= 2; v++)
        {
            learner.Tell(new TrainPolicy(v, Experience()));
            var updated = ExpectMsg<PolicyUpdated>();
            updates.Add(updated);
            generator.Tell(updated.Weights);
            generator.Tell(new GenerateRollouts(10 + v, 0, prompts, 1, MinPolicyVersion: v));
            var rollout = ExpectMsg<RolloutBatch>();
            Assert.Equal(v, rollout.PolicyVersion);

            // the generator samples with the learner's weights as they are after update v (trained in place, not sent again)
            using var noGrad = torch.no_grad();
            var expected = Scoring.ResponseLogProbs(policy, rollout.Batch);
            Assert.True(expected.sub(rollout.LogProbs).abs().max().ToDouble() < 1e-4, $"update {v}");
        }
        Assert.Same(updates[0].Weights.State, updates[1].Weights.State);
        Assert.True(updates[1].Weights.State["transformer.wte.weight"].sub(policy.state_dict()["transformer.wte.weight"]).abs().max().ToDouble() == 0);
    }

    [Fact]
    public void Critic_must_lower_its_value_loss_on_the_returns()
    {
        var critic = Sys.ActorOf(Critic.Props(new Models.GptValue(Tiny.Config, new Generator(3)), (Tiny.Settings.Ppo.CriticOptions with { Lr = 1e-2, Epochs = 4 }), CPU, 1));
        var batch = Tiny.Batch(("a", "good b"), ("b", "c"));
        var returns = batch.ActionMask.mul(Two);
        var losses = new List<double>();
        for (var i = 1; i <= 4; i++)
        {
            critic.Tell(new ComputeValues(i, batch));
            var values = ExpectMsg<ValueEstimates>().Values;
            critic.Tell(new TrainCritic(i, batch, returns, values));
            losses.Add(ExpectMsg<CriticUpdated>().Metrics["value_loss"]);
        }
        Assert.True(losses[^1] < losses[0], string.Join(", ", losses));
    }

    [Fact]
    public void Critic_restored_from_a_checkpoint_must_train_again_on_a_batch_id_it_has_seen_since()
    {
        // a resumed coordinator asks again for batch ids that the critic (on a cluster node) handled after the checkpoint
        var model = new Models.GptValue(Tiny.Config, new Generator(3));
        var critic = Sys.ActorOf(Critic.Props(model, (Tiny.Settings.Ppo.CriticOptions with { Lr = 1e-2, Epochs = 2 }), CPU, 1));
        var batch = Tiny.Batch(("a", "good b"), ("b", "c"));
        var dir = Path.Combine(Path.GetTempPath(), "akka-rlhf-critic-" + Guid.NewGuid().ToString("N"));
        try
        {
            critic.Tell(new SaveRoleState(dir));
            var rng = ExpectMsg<RoleStateSaved>().Rng;
            critic.Tell(new TrainCritic(1, batch, batch.ActionMask.mul(Two), torch.zeros([2, batch.ActionMask.size(1)])));
            ExpectMsg<CriticUpdated>();
            var trained = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());

            critic.Tell(new RestoreRoleState(dir, rng, TorchRng: false));
            ExpectMsg<RoleStateRestored>();
            critic.Tell(new TrainCritic(1, batch, batch.ActionMask.mul(Two), torch.zeros([2, batch.ActionMask.size(1)])));
            ExpectMsg<CriticUpdated>();
            foreach (var (name, t) in model.state_dict())                               // trained again from the checkpoint: the same weights
                Assert.True(t.sub(trained[name]).abs().max().ToDouble() == 0, name);
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true); }
    }
}
