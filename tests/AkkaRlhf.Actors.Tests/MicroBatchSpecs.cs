using AkkaRlhf.Actors.Messages;
using AkkaRlhf.Actors.Pipeline;
using AkkaRlhf.Actors.Roles;
using AkkaRlhf.Models;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace AkkaRlhf.Actors.Tests;

/// <summary>
/// Gradient accumulation (<c>micro-batch-size</c>): a step over micro-batches has the gradient of the whole minibatch. Each
/// case trains twice from the same weights and seed at learning rate 0 (the gradients stay in the model, the weights do
/// not move) and compares every parameter's gradient, whole vs micro-batches of 1 or 2 rows of different lengths.
/// </summary>
public sealed class MicroBatchSpecs(ITestOutputHelper output) : RlhfTestKit(output)
{
    private static readonly List<TokenPair> Sft = Tiny.Prompts.Select((p, i) => new TokenPair(Tiny.Template.EncodePrompt(Tiny.Tokenizer, p),
        [.. Tiny.Tokenizer.Encode(i % 2 == 0 ? "good a" : "b c d e"), Tiny.Tokenizer.EosId])).ToList();

    private static readonly List<TokenPreference> Pairs = Tiny.Prompts.Select((p, i) => new TokenPreference(Tiny.Template.EncodePrompt(Tiny.Tokenizer, p),
        [.. Tiny.Tokenizer.Encode(i % 3 == 0 ? "good b c" : "good"), Tiny.Tokenizer.EosId], [.. Tiny.Tokenizer.Encode("bad b"), Tiny.Tokenizer.EosId])).ToList();

    private static Experience Experience()
    {
        var batch = Tiny.Batch(("a", "good b"), ("b", "c"), ("c d", "good good a b"), ("e", "bad"), ("a b", "d"));
        var n = batch.ResponseLength;
        var advantages = torch.randn([5, n], generator: new Generator(4)) * batch.ActionMask;
        return new Experience(batch, torch.zeros([5, n]), advantages, torch.randn([5, n], generator: new Generator(5)) * batch.ActionMask,
            torch.zeros([5, n]), torch.zeros([5]), 0);
    }

    /// <summary>Every parameter's gradient, flattened in order.</summary>
    private static double[] Gradients(nn.Module model) =>
        [.. model.parameters().Where(p => p.requires_grad).SelectMany(p => p.grad!.to(ScalarType.Float64).data<double>().ToArray())];

    private void AssertSameGradient(double[] whole, double[] micro)
    {
        Assert.Equal(whole.Length, micro.Length);
        var scale = whole.Max(Math.Abs);
        var diff = whole.Zip(micro, (a, b) => Math.Abs(a - b)).Max();
        Output?.WriteLine($"max |gradient| {scale:E3}, max |difference| {diff:E3}");
        Assert.True(scale > 1e-4, "no gradient to compare");
        Assert.True(diff <= 1e-5 * scale, $"micro-batches changed the gradient by {diff:E3} (max |gradient| {scale:E3})");
    }

    [Fact]
    public void Ppo_learner_and_critic_steps_over_micro_batches_must_have_the_minibatch_gradient()
    {
        var experience = Experience();
        (double[] Policy, double[] Critic, Dictionary<string, double> Metrics) Train(int micro)
        {
            var policy = Tiny.Policy();
            var learner = Tiny.Settings.Ppo.LearnerOptions with { Lr = 0, Epochs = 1, MinibatchSize = 5, EntropyCoef = 0.01, MicroBatchSize = micro };
            var metrics = PpoLearner.Train(policy, PpoLearner.NewOptimizer(policy, learner), PpoLearner.NewRng(1), learner, CPU, experience);
            var critic = new GptValue(Tiny.Config, new Generator(3));
            var settings = Tiny.Settings.Ppo.CriticOptions with { Lr = 0, Epochs = 1, MinibatchSize = 5, MicroBatchSize = micro };
            Critic.Train(critic, Critic.NewOptimizer(critic, settings), Critic.NewRng(1), settings, CPU, experience.Batch, experience.Returns!,
                torch.zeros_like(experience.Returns!));
            return (Gradients(policy), Gradients(critic), metrics);
        }
        var whole = Train(0);
        foreach (var micro in new[] { 1, 2 })
        {
            var split = Train(micro);
            AssertSameGradient(whole.Policy, split.Policy);
            AssertSameGradient(whole.Critic, split.Critic);
            foreach (var key in new[] { "policy_loss", "clip_fraction", "approx_kl", "entropy" })
                Assert.True(Math.Abs(whole.Metrics[key] - split.Metrics[key]) < 1e-6, $"{key}: {whole.Metrics[key]} whole vs {split.Metrics[key]} in micro-batches of {micro}");
        }
    }

    [Fact]
    public void Sft_reward_model_and_dpo_steps_over_micro_batches_must_have_the_batch_gradient()
    {
        double[] Sft(int micro)
        {
            var model = Tiny.Policy();
            var settings = Tiny.Settings.Sft with { Steps = 1, BatchSize = 5, Optim = Tiny.Settings.Sft.Optim with { Lr = 0, MicroBatchSize = micro } };
            Sys.ActorOf(SftTrainer.Props(model, MicroBatchSpecs.Sft, settings, Tiny.Tokenizer.PadId, new RecordingProgress(), 1)).Tell(new RunStage(1, 1));
            ExpectMsg<StageFinished>(TimeSpan.FromSeconds(30));
            return Gradients(model);
        }
        double[] Reward(int micro)
        {
            var model = Tiny.Reward();
            var settings = Tiny.Settings.RewardModel with { Steps = 1, BatchSize = 5, Optim = Tiny.Settings.RewardModel.Optim with { Lr = 0, MicroBatchSize = micro } };
            Sys.ActorOf(RewardModelTrainer.Props(model, Pairs, null, Pairs, settings, Tiny.Tokenizer.PadId, new RecordingProgress(), 1)).Tell(new RunStage(1, 1));
            ExpectMsg<StageFinished>(TimeSpan.FromSeconds(30));
            return Gradients(model);
        }
        double[] Dpo(int micro)
        {
            var policy = Tiny.Policy();
            var lora = new LoraConfig(Rank: 2, Alpha: 4, Dropout: 0, Targets: ["c_attn", "c_fc"]);    // the reference: adapters off
            var settings = (Tiny.Settings.Dpo with { Steps = 1, BatchSize = 5, Optim = Tiny.Settings.Dpo.Optim with { Lr = 0, MicroBatchSize = micro } }).WithLora(lora);
            Sys.ActorOf(DpoLearner.Props(policy, ActorRefs.Nobody, Pairs, settings, Tiny.Tokenizer.PadId, new RecordingProgress(), 1)).Tell(new RunStage(1, 1));
            ExpectMsg<StageFinished>(TimeSpan.FromSeconds(30));
            return Gradients(policy);
        }
        foreach (var micro in new[] { 1, 2 })
        {
            AssertSameGradient(Sft(0), Sft(micro));
            AssertSameGradient(Reward(0), Reward(micro));
            AssertSameGradient(Dpo(0), Dpo(micro));
        }
    }

    [Fact]
    public void A_negative_micro_batch_size_must_be_refused_naming_the_key()
    {
        var e = Assert.Throws<AkkaRlhf.Configuration.ConfigurationException>(() => PipelineSettings.FromConfig(
            AkkaRlhf.Configuration.ConfigurationFactory.ParseString("akka-rlhf.ppo.learner.micro-batch-size = -2").WithFallback(PipelineSettings.Reference)));
        Assert.Contains("akka-rlhf.ppo.learner.micro-batch-size = -2", e.Message);
    }
}
