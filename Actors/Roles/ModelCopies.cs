using AkkaRlhf.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace AkkaRlhf.Actors.Roles;

/// <summary>
/// Copies of models for roles that each own one (a generator pool, the frozen reference). A model with LoRA adapters
/// is copied without its frozen base: on the same device the copy's base parameters are the source's own tensors (a
/// frozen weight is only ever read, so roles on different threads may share it), and only the adapters, the part that
/// trains, are the copy's own. Weight snapshots of such a model carry the adapters alone.
/// </summary>
public static class ModelCopies
{
    /// <summary>A new <see cref="GptLM"/> with <paramref name="source"/>'s weights, on <paramref name="device"/> (LoRA: sharing its frozen base there).</summary>
    public static GptLM Clone(GptLM source, Device device)
    {
        if (Lora.ConfigOf(source) is not { } lora)
        {
            var copy = Uninitialized.Create(() => new GptLM(source.config));
            copy.load_state_dict(source.state_dict());
            copy.to(device);
            return copy;
        }
        using var init = new Generator(0);                                             // the adapters' A: replaced below
        var adapted = Uninitialized.Create(() => new GptLM(source.config));
        adapted.transformer.AddLora(lora, init);
        if (SameDevice(source, device))
        {
            ShareFrozen(adapted, source);
            LoadWeights(adapted, source.state_dict().Where(kv => Lora.IsAdapter(kv.Key)).ToDictionary());
        }
        else
        {
            adapted.load_state_dict(source.state_dict());
            adapted.to(device);
        }
        return adapted;
    }

    /// <summary>
    /// A model of its own whose parameters are <paramref name="source"/>'s tensors (no copy) on <paramref name="device"/>, else a
    /// copy there. For frozen weights only: the copy may replace its tensors (<see cref="LoadWeights"/>) but never writes them.
    /// </summary>
    public static GptLM Alias(GptLM source, Device device)
    {
        if (!SameDevice(source, device) || Lora.ConfigOf(source) is not null) return Clone(source, device);
        var alias = Uninitialized.Create(() => new GptLM(source.config));
        foreach (var (_, p) in alias.named_parameters()) p.requires_grad = false;
        ShareFrozen(alias, source);
        return alias;
    }

    /// <summary>
    /// A frozen role's model (the reference): <paramref name="source"/> itself when it is on <paramref name="device"/>
    /// (the role only reads it, so it is not copied), else a copy there.
    /// </summary>
    public static GptLM Frozen(GptLM source, Device device) => SameDevice(source, device) ? source : Clone(source, device);

    /// <summary>
    /// A policy for LoRA training: <paramref name="sft"/>'s weights as its frozen base, shared (not copied), and new adapters
    /// (<paramref name="lora"/>, A drawn from <paramref name="seed"/>): with the adapters off it is <paramref name="sft"/> exactly.
    /// </summary>
    public static GptLM WithLora(GptLM sft, LoraConfig lora, long seed)
    {
        using var init = new Generator((ulong)seed);
        var policy = Uninitialized.Create(() => new GptLM(sft.config));                // every weight but the adapters is sft's
        policy.transformer.AddLora(lora, init);
        ShareFrozen(policy, sft);
        return policy;
    }

    /// <summary>
    /// Makes every frozen parameter of <paramref name="target"/> (requires_grad off) use the storage of
    /// <paramref name="source"/>'s parameter of the same name (renamed by <paramref name="sourceName"/>), dropping its own.
    /// </summary>
    public static void ShareFrozen(nn.Module target, nn.Module source, Func<string, string>? sourceName = null)
    {
        var from = source.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        using var noGrad = torch.no_grad();
        foreach (var (name, p) in target.named_parameters())
        {
            if (p.requires_grad) continue;
            var key = sourceName?.Invoke(name) ?? name;
            var s = from.TryGetValue(key, out var found) ? found : throw new ArgumentException($"no parameter {key} to share with {name}");
            if (!s.shape.SequenceEqual(p.shape) || s.dtype != p.dtype || s.device_type != p.device_type || s.device_index != p.device_index)
                throw new ArgumentException($"{name} [{string.Join(", ", p.shape)}] cannot share {key} [{string.Join(", ", s.shape)}] ({s.dtype} on {s.device})");
            p.set_(s);
        }
    }

    /// <summary>
    /// Loads a weight snapshot (<see cref="Snapshot"/>) into <paramref name="model"/>: every weight, or with LoRA exactly its
    /// adapters. On the snapshot's device the model takes the snapshot's tensors themselves (a snapshot is only ever
    /// read, so the generators of a pool share one copy of each version, and no copy is made); elsewhere it copies them.
    /// Returns whether the model now reads the snapshot's tensors themselves (false: it holds copies).
    /// </summary>
    public static bool LoadWeights(nn.Module model, IReadOnlyDictionary<string, Tensor> state)
    {
        if (!Lora.Adapters(model).Any())
        {
            var own = model.named_parameters().ToList();
            if (own.Count != state.Count || own.Any(p => !state.TryGetValue(p.name, out var t) || !Fits(t, p.parameter) || t.requires_grad))
            {
                model.load_state_dict(new Dictionary<string, Tensor>(state));                  // another device or layout: copied (and checked)
                return false;
            }
            using var noGrad = torch.no_grad();
            foreach (var (name, p) in own) p.set_(state[name]);
            return true;
        }
        var adapters = model.state_dict().Keys.Where(Lora.IsAdapter).ToHashSet();
        if (!adapters.SetEquals(state.Keys))
            throw new ArgumentException($"LoRA weights must be exactly the adapters' {adapters.Count} tensors; got {state.Count} " +
                $"(e.g. {state.Keys.Except(adapters).Concat(adapters.Except(state.Keys)).FirstOrDefault()})");
        model.load_state_dict(new Dictionary<string, Tensor>(state), strict: false);
        return false;
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

    /// <summary>
    /// Every weight to publish; with LoRA, the adapters only (the base never changes). A detached CPU copy, or with
    /// <paramref name="shared"/> the model's own tensors as detached views (no copy: valid only while nothing trains the
    /// model, which the caller guarantees).
    /// </summary>
    public static Dictionary<string, Tensor> Snapshot(nn.Module model, bool shared = false)
    {
        using var noGrad = torch.no_grad();
        var lora = Lora.Adapters(model).Any();
        return model.state_dict().Where(kv => !lora || Lora.IsAdapter(kv.Key))
            .ToDictionary(kv => kv.Key, kv => shared ? kv.Value.detach().DetachFromDisposeScope() : Scoring.Outgoing(kv.Value));
    }

    private static bool Fits(Tensor t, Tensor p) =>
        t.shape.SequenceEqual(p.shape) && t.dtype == p.dtype && t.device_type == p.device_type && t.device_index == p.device_index;

    private static bool SameDevice(nn.Module model, Device device) =>
        model.parameters().FirstOrDefault() is not { } p || (p.device_type == device.type && p.device_index == device.index);
}
