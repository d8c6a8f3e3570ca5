using AkkaRlhf.Actors.Messages;
using AkkaRlhf.Models.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace AkkaRlhf.Actors.Pipeline;

/// <summary>
/// Turns a scored rollout into experience (rlhf-math stage 3): per-token KL estimates
/// k(log pi_old - log pi_ref), rewards r_t = -beta k_t + [t = T] clip(r_phi), GAE advantages
/// (whitened) and returns. Critic-free learners (no values) get the raw scores and derive their own advantages.
/// </summary>
public static class ExperienceMaker
{
    public static (Experience Experience, Dictionary<string, double> Metrics) Make(RolloutBatch rollout, Tensor refLogProbs, Tensor scores,
        Tensor? values, PpoSettings settings, double beta, int samplesPerPrompt)
    {
        using var noGrad = torch.no_grad();
        var batch = rollout.Batch;
        var mask = batch.ActionMask;
        Tensor? advantages = null, returns = null;
        if (values is not null)
        {
            using var scope = torch.NewDisposeScope();
            var kl = Kl.Estimate(rollout.LogProbs, refLogProbs, settings.Kl.Estimator, mask);
            var rewards = RewardShaping.PerTokenRewards(scores, kl, mask, beta, settings.Kl.ScoreClip);
            var gae = Gae.Compute(rewards, values, mask, settings.Gamma, settings.Lambda);
            advantages = (settings.WhitenAdvantages ? Advantages.Whiten(gae.Advantages, mask) : gae.Advantages).DetachFromDisposeScope();
            returns = gae.Returns.DetachFromDisposeScope();
        }
        double sequenceKl, length, reward;
        using (torch.NewDisposeScope())
        {
            sequenceKl = Kl.SequenceMean(Kl.Estimate(rollout.LogProbs, refLogProbs, KlEstimator.K1, mask), mask);
            length = mask.sum(1).mean().ToDouble();
            reward = scores.mean().ToDouble();
        }
        var experience = new Experience(batch, rollout.LogProbs, advantages, returns, refLogProbs, scores, rollout.PolicyVersion, samplesPerPrompt);
        return (experience, new Dictionary<string, double>
        {
            ["reward"] = reward, ["kl"] = sequenceKl, ["beta"] = beta, ["response_length"] = length,
        });
    }
}
