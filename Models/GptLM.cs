using AkkaRlhf.Torch;

namespace AkkaRlhf.Models;

/// <summary>
/// The language model (policy and reference roles): trunk + LM head. With tied embeddings (the
/// default, as GPT-2) the logits are <c>hidden @ wte.weight^T</c> and there is no <c>lm_head</c>
/// parameter; otherwise <c>lm_head</c> is a bias-free Linear(n_embd, vocab_size). State-dict names
/// match HF's GPT2LMHeadModel (<c>transformer.h.0.attn.c_attn.weight</c>, ...).
/// </summary>
public sealed class GptLM : Module
{
    public readonly GptConfig config;
    public readonly Gpt transformer;
    public readonly Linear? lm_head;

    /// <summary>A randomly initialised LM (see <see cref="Gpt(GptConfig, Generator?, Generator?)"/>).</summary>
    public GptLM(GptConfig config, Generator? init = null, Generator? dropout = null)
    {
        this.config = config;
        transformer = register_module("transformer", new Gpt(config, init, dropout));
        if (!config.TiedEmbeddings)
        {
            lm_head = register_module("lm_head", new Linear(config.NEmbd, config.VocabSize, hasBias: false, generator: init));
            using var noGrad = torch.no_grad();
            using var scope = torch.NewDisposeScope();
            lm_head.weight.copy_(torch.randn(lm_head.weight.shape, generator: init) * 0.02);
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
