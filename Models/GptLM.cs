using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AkkaRlhf.Models;

/// <summary>
/// The language model (policy and reference roles): trunk + LM head. With tied embeddings (the
/// default, as GPT-2) the logits are <c>hidden @ wte.weight^T</c> and there is no <c>lm_head</c>
/// parameter; otherwise <c>lm_head</c> is a bias-free Linear(n_embd, vocab_size). State-dict names
/// match HF's GPT2LMHeadModel (<c>transformer.h.0.attn.c_attn.weight</c>, ...).
/// </summary>
public sealed class GptLM : nn.Module
{
    public readonly GptConfig config;
    public readonly Gpt transformer;
    public readonly Linear? lm_head;

    /// <summary>A randomly initialised LM (see <see cref="Gpt(GptConfig, Generator?)"/>).</summary>
    public GptLM(GptConfig config, Generator? init = null) : base(nameof(GptLM))
    {
        this.config = config;
        transformer = new Gpt(config, init);
        register_module("transformer", transformer);
        if (!config.TiedEmbeddings)
        {
            lm_head = Layers.Linear(config.NEmbd, config.VocabSize, bias: false, 0.02, init);
            register_module("lm_head", lm_head);
        }
    }

    /// <summary>input_ids (B, T) -> logits (B, T, vocab_size). See <see cref="Gpt.forward"/> for the mask and the cache.</summary>
    public Tensor forward(Tensor input_ids, Tensor? attention_mask = null, KvCache? cache = null)
    {
        using var scope = torch.NewDisposeScope();
        return logits(transformer.forward(input_ids, attention_mask, cache)).MoveToOuterDisposeScope();
    }

    /// <summary>Hidden states (*, C) -> logits (*, vocab_size).</summary>
    public Tensor logits(Tensor hidden) => torch.nn.functional.linear(hidden, lm_head?.weight ?? transformer.wte.weight);
}
