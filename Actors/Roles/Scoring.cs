using AkkaRlhf.Actors.Messages;
using AkkaRlhf.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace AkkaRlhf.Actors.Roles;

/// <summary>The forward passes the roles share, each over a <see cref="SequenceBatch"/> and response-aligned.</summary>
public static class Scoring
{
    /// <summary>The response tokens, (B, N) int64.</summary>
    public static Tensor ResponseTokens(SequenceBatch b) => b.Sequences.narrow(1, b.PromptLength, b.ResponseLength);

    /// <summary>Logits predicting each response token, (B, N, V).</summary>
    public static Tensor ResponseLogits(GptLM model, SequenceBatch b)
    {
        using var scope = torch.NewDisposeScope();
        var logits = model.forward(b.Sequences, b.AttentionMask);                    // (B, T, V)
        return logits.narrow(1, b.PromptLength - 1, b.ResponseLength).MoveToOuterDisposeScope();
    }

    /// <summary>log pi(y_t | x, y_&lt;t) of every response token from its logits, (B, N), 0 where masked.</summary>
    public static Tensor ResponseLogProbs(Tensor responseLogits, SequenceBatch b)
    {
        using var scope = torch.NewDisposeScope();
        var lp = LogProbs.Of(responseLogits, ResponseTokens(b));
        return (lp * b.ActionMask).MoveToOuterDisposeScope();
    }

    /// <summary>log pi(y_t | x, y_&lt;t) of every response token under <paramref name="model"/>, (B, N).</summary>
    public static Tensor ResponseLogProbs(GptLM model, SequenceBatch b)
    {
        using var scope = torch.NewDisposeScope();
        return ResponseLogProbs(ResponseLogits(model, b), b).MoveToOuterDisposeScope();
    }

    /// <summary>V(s_t) before every response token, (B, N), 0 where masked.</summary>
    public static Tensor Values(GptValue critic, SequenceBatch b)
    {
        using var scope = torch.NewDisposeScope();
        var v = b.ResponseColumns(critic.forward(b.Sequences, b.AttentionMask));     // (B, N)
        return (v * b.ActionMask).MoveToOuterDisposeScope();
    }

    /// <summary>One reward per sequence, read at its last real token, (B).</summary>
    public static Tensor Rewards(GptReward reward, SequenceBatch b) => reward.forward(b.Sequences, b.AttentionMask);

    /// <summary>A CPU copy of a result, owned by no dispose scope (safe to send in a message).</summary>
    public static Tensor Outgoing(Tensor t) => t.detach().to(CPU, copy: true).DetachFromDisposeScope();
}
