using AkkaRlhf.Actors.Roles;
using AkkaRlhf.Models;
using AkkaRlhf.Models.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace AkkaRlhf.Actors.Pipeline;

/// <summary>
/// The models of a PPO run. The learner trains <see cref="Policy"/> in place; every other role takes
/// what it needs (generators and the reference copy their model onto their own device).
/// </summary>
/// <param name="InitialPolicy">Frozen weights equal to <paramref name="Policy"/>'s before its first update (the SFT model of a
/// fresh run), which the generators read until the first weight sync instead of copying the policy; null: they copy it.</param>
public sealed record PpoModels(GptLM Policy, GptLM Reference, GptReward? Reward, GptValue? Critic, ITokenizer Tokenizer,
    RewardNormalizer? RewardNormalizer = null, GptLM? InitialPolicy = null)
{
    /// <summary>
    /// A run's models from the SFT policy and the reward model: the policy is a copy of <paramref name="sft"/>, the
    /// reference is <paramref name="sft"/> itself, and the critic starts from the reward model (<c>critic.init-from-reward</c>)
    /// or fresh; without a reward model (a rule-based reward) its trunk is copied from <paramref name="sft"/> and its value
    /// head is fresh. A critic-free learner (GRPO) has none. With LoRA (<see cref="PpoSettings.Lora"/>) nothing frozen is
    /// copied: the policy is <paramref name="sft"/>'s weights plus adapters, and the critic is the reward model's trunk
    /// (or, without it or with init-from-reward off, <paramref name="sft"/>'s) plus adapters and its own value head. Every
    /// process of a clustered run builds the same models from the same checkpoints.
    /// </summary>
    public static PpoModels Create(GptLM sft, TrainedRewardModel? reward, ITokenizer tokenizer, PpoSettings ppo)
    {
        var grpo = ppo.Learner.Type.Equals("grpo", StringComparison.OrdinalIgnoreCase);
        if (ppo.Lora is { } lora)
            return new PpoModels(ModelCopies.WithLora(sft, lora, ppo.Seed + 6), sft, reward?.Model,
                grpo ? null : LoraCritic(sft, reward?.Model, lora, ppo), tokenizer, reward?.Normalizer);
        var policy = ModelCopies.Clone(sft, CPU);
        var critic = grpo ? null
            : reward is null ? ModelCopies.ValueFromLm(sft, ppo.Seed + 5)
            : ppo.CriticOptions.InitFromReward ? GptValue.FromReward(reward.Model) : new GptValue(sft.config);
        return new PpoModels(policy, sft, reward?.Model, critic, tokenizer, reward?.Normalizer, InitialPolicy: sft);
    }

    /// <summary>A critic on a shared frozen trunk (the reward model's, else the SFT model's) with adapters and its own value head.</summary>
    private static GptValue LoraCritic(GptLM sft, GptReward? reward, LoraConfig lora, PpoSettings ppo)
    {
        using var init = new Generator((ulong)(ppo.Seed + 5));
        var critic = Uninitialized.Create(() => new GptValue(sft.config));              // trunk shared below, head set below
        critic.transformer.AddLora(lora, init);
        var fromReward = reward is not null && ppo.CriticOptions.InitFromReward;
        ModelCopies.ShareFrozen(critic, fromReward ? reward! : sft);
        using var noGrad = torch.no_grad();
        if (fromReward)
        {
            critic.value_head.weight!.copy_(reward!.score.weight!);
            critic.value_head.bias!.copy_(reward.score.bias!);
        }
        else
        {
            critic.value_head.weight!.normal_(0, 0.02, init);                             // a fresh head, as GptValue draws one
            critic.value_head.bias!.zero_();
        }
        return critic;
    }
}

/// <summary>What a role factory gets: the role's name and HOCON block, the run's models and settings, and a seed of its own.</summary>
public sealed record RoleContext(string Role, RoleSettings Settings, PpoModels Models, PpoSettings Ppo, long Seed)
{
    public Device Device => Settings.ParsedDevice;
}
