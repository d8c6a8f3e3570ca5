using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AkkaRlhf.Models;

/// <summary>
/// The critic: trunk + <c>value_head</c> Linear(n_embd, 1), one scalar value V(s_t) per position.
/// Usually initialised from the reward model (<see cref="FromReward"/>).
/// </summary>
public sealed class GptValue : nn.Module
{
    public readonly GptConfig config;
    public readonly Gpt transformer;
    public readonly Linear value_head;

    /// <summary>A randomly initialised critic; the head starts at N(0, 0.02) weights and 0 bias.</summary>
    public GptValue(GptConfig config, Generator? init = null) : base(nameof(GptValue))
    {
        this.config = config;
        transformer = new Gpt(config, init);
        value_head = ScalarHead.Create(config, init);
        register_module("transformer", transformer);
        register_module("value_head", value_head);
    }

    /// <summary>input_ids (B, T) -> values (B, T).</summary>
    public Tensor forward(Tensor input_ids, Tensor? attention_mask = null, KvCache? cache = null)
    {
        using var scope = torch.NewDisposeScope();
        var hidden = transformer.forward(input_ids, attention_mask, cache);          // (B, T, C)
        return value_head.forward(hidden).squeeze(-1).MoveToOuterDisposeScope();     // (B, T)
    }

    /// <summary>A critic whose trunk and head are copies of <paramref name="reward"/>'s (trunk and <c>score</c> head).</summary>
    public static GptValue FromReward(GptReward reward)
    {
        var critic = Uninitialized.Create(() => new GptValue(reward.config));          // every weight is overwritten
        var source = new Dictionary<string, Tensor>();
        foreach (var (k, t) in reward.state_dict())
            source[k.StartsWith("score.", StringComparison.Ordinal) ? "value_head." + k["score.".Length..] : k] = t;
        critic.load_state_dict(source);
        return critic;
    }
}

/// <summary>The scalar heads' shape and initialisation.</summary>
internal static class ScalarHead
{
    public static Linear Create(GptConfig config, Generator? init)
    {
        return Layers.Linear(config.NEmbd, 1, bias: true, 0.02, init);
    }
}
