using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static AkkaRlhf.Models.Scalars;

namespace AkkaRlhf.Models;

/// <summary>
/// The reward model: trunk + <c>score</c> Linear(n_embd, 1), read at the last non-pad token of each
/// sequence (the last position whose attention mask is 1, whatever the padding side).
/// </summary>
public sealed class GptReward : nn.Module
{
    public readonly GptConfig config;
    public readonly Gpt transformer;
    public readonly Linear score;

    /// <summary>A randomly initialised reward model; the head starts at N(0, 0.02) weights and 0 bias.</summary>
    public GptReward(GptConfig config, Generator? init = null) : base(nameof(GptReward))
    {
        this.config = config;
        transformer = new Gpt(config, init);
        score = ScalarHead.Create(config, init);
        register_module("transformer", transformer);
        register_module("score", score);
    }

    /// <summary>input_ids (B, T), attention_mask (B, T) -> rewards (B), each read at its row's last real token.</summary>
    public Tensor forward(Tensor input_ids, Tensor? attention_mask = null)
    {
        using var scope = torch.NewDisposeScope();
        var scores = score.forward(transformer.forward(input_ids, attention_mask)).squeeze(-1); // (B, T)
        var last = LastTokenIndex(input_ids, attention_mask);                                     // (B, 1)
        return scores.gather(1, last).squeeze(1).MoveToOuterDisposeScope();                      // (B)
    }

    /// <summary>(B, 1) index of each row's last position with mask 1 (T - 1 without a mask).</summary>
    public static Tensor LastTokenIndex(Tensor input_ids, Tensor? attention_mask)
    {
        var (B, T) = (input_ids.size(0), input_ids.size(1));
        using var scope = torch.NewDisposeScope();
        using var last = (T - 1).ToScalar();
        if (attention_mask is null) return torch.full([B, 1], last, ScalarType.Int64, input_ids.device).MoveToOuterDisposeScope();
        var index = Arange(0, T, input_ids.device).view(1, T);                       // (1, T)
        var masked = index * attention_mask.ne(Zero).to(ScalarType.Int64);           // (B, T)
        return masked.amax([1], keepdim: true).MoveToOuterDisposeScope();               // (B, 1)
    }
}
