using AkkaRlhf.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace AkkaRlhf.Actors.Roles;

/// <summary>Copies of models for roles that each own one (a generator pool, the frozen reference).</summary>
public static class ModelCopies
{
    /// <summary>A new <see cref="GptLM"/> with <paramref name="source"/>'s weights, on <paramref name="device"/>.</summary>
    public static GptLM Clone(GptLM source, Device device)
    {
        var copy = new GptLM(source.config);
        copy.load_state_dict(source.state_dict());
        copy.to(device);
        return copy;
    }

    /// <summary>A reward model whose trunk starts from <paramref name="lm"/>'s (the usual RM initialisation from SFT).</summary>
    public static GptReward RewardFromLm(GptLM lm, Generator? init = null)
    {
        var reward = new GptReward(lm.config, init);
        var trunk = lm.state_dict().Where(kv => kv.Key.StartsWith("transformer.", StringComparison.Ordinal)).ToDictionary();
        reward.load_state_dict(trunk, strict: false);
        return reward;
    }

    /// <summary>A critic whose trunk starts from <paramref name="lm"/>'s, with a fresh value head drawn from <paramref name="seed"/> (no reward model to start from).</summary>
    public static GptValue ValueFromLm(GptLM lm, long seed)
    {
        using var init = new Generator((ulong)seed);
        var critic = new GptValue(lm.config, init);
        var trunk = lm.state_dict().Where(kv => kv.Key.StartsWith("transformer.", StringComparison.Ordinal)).ToDictionary();
        critic.load_state_dict(trunk, strict: false);
        return critic;
    }

    /// <summary>Moves <paramref name="model"/> to <paramref name="device"/> in place and returns it.</summary>
    public static T On<T>(T model, Device device) where T : nn.Module
    {
        model.to(device);
        return model;
    }

    /// <summary>A detached CPU copy of every weight (a snapshot to publish).</summary>
    public static Dictionary<string, Tensor> Snapshot(nn.Module model)
    {
        using var noGrad = torch.no_grad();
        return model.state_dict().ToDictionary(kv => kv.Key, kv => Scoring.Outgoing(kv.Value));
    }
}
