using TorchSharp;
using static TorchSharp.torch;

namespace AkkaRlhf.Models;

/// <summary>
/// The result of <see cref="Sampler.Generate"/>, N = steps taken (at most MaxNewTokens; fewer when
/// every row met EOS). The caller owns (disposes) the tensors.
/// </summary>
/// <param name="tokens">(B, N) int64 generated ids; PadTokenId after a row's EOS.</param>
/// <param name="logprobs">(B, N) float32 log pi(token | prefix) under the model's raw logits
/// (temperature 1, no top-k/top-p filtering: the policy PPO optimises); 0 where masked.</param>
/// <param name="mask">(B, N) float32, 1 for valid response tokens (up to and including EOS), 0 after.</param>
public sealed record Generation(Tensor tokens, Tensor logprobs, Tensor mask) : IDisposable
{
    /// <summary>Valid tokens of row <paramref name="b"/> (EOS included, padding dropped).</summary>
    public long[] Row(int b)
    {
        var ids = tokens.select(0, b);
        var valid = mask.select(0, b);
        try
        {
            var n = (int)valid.sum().item<float>();
            var all = ids.data<long>().ToArray();
            return all[..n];
        }
        finally { ids.Dispose(); valid.Dispose(); }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        tokens.Dispose();
        logprobs.Dispose();
        mask.Dispose();
    }
}
