namespace AkkaRlhf.Models;

/// <summary>
/// Builds a model whose every weight is about to be replaced (loaded from a state dict, or shared with another model's
/// tensors): its matrices and embedding tables are allocated but neither drawn nor written, so a 124M-parameter copy
/// costs no random draws and, until something writes them, no resident memory; nor does it take a draw from any
/// generator. Small tensors (biases, LayerNorm) are made as usual.
/// </summary>
/// <example><c>var copy = Uninitialized.Create(() => new GptLM(config)); copy.load_state_dict(source.state_dict());</c></example>
public static class Uninitialized
{
    /// <summary>The model <paramref name="build"/> makes, with unwritten weights.</summary>
    public static T Create<T>(Func<T> build) => Layers.Uninitialized(build);
}
