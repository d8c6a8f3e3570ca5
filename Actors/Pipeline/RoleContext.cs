using AkkaRlhf.Models;
using AkkaRlhf.Models.Losses;
using AkkaRlhf.Torch;

namespace AkkaRlhf.Actors.Pipeline;

/// <summary>
/// The models of a PPO run. The learner trains <see cref="Policy"/> in place; every other role takes
/// what it needs (generators and the reference copy their model onto their own device).
/// </summary>
public sealed record PpoModels(GptLM Policy, GptLM Reference, GptReward? Reward, GptValue? Critic, ITokenizer Tokenizer,
    RewardNormalizer? RewardNormalizer = null);

/// <summary>What a role factory gets: the role's name and HOCON block, the run's models and settings, and a seed of its own.</summary>
public sealed record RoleContext(string Role, RoleSettings Settings, PpoModels Models, PpoSettings Ppo, long Seed)
{
    public Device Device => Settings.ParsedDevice;
}
