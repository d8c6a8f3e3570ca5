using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AkkaRlhf.Models;

/// <summary>
/// An embedding (PyTorch's nn.Embedding): a (num_embeddings, embedding_dim) <c>weight</c> Parameter,
/// looked up by index. Ours rather than TorchSharp's because TorchSharp 0.107's <c>nn.Embedding</c> is
/// a native module whose <c>weight</c> getter returns a new Tensor object on every call: a tied LM head
/// would allocate per forward, and parameter groups (matched by identity) could not find it.
/// </summary>
public sealed class EmbeddingTable : nn.Module<Tensor, Tensor>
{
    public readonly Parameter weight;   // (num, dim)

    /// <summary>A table with weight N(0, <paramref name="std"/>) drawn from <paramref name="g"/> (libtorch's default generator when null).</summary>
    public EmbeddingTable(long num_embeddings, long embedding_dim, double std = 1.0, Generator? g = null) : base(nameof(EmbeddingTable))
    {
        using (no_grad()) weight = new Parameter(Layers.Normal([num_embeddings, embedding_dim], std, g));
        register_parameter("weight", weight);
    }

    /// <summary>ids (*) int64 -> (*, dim).</summary>
    public override Tensor forward(Tensor ids)
    {
        using var scope = NewDisposeScope();
        long[] shape = [.. ids.shape, weight.shape[1]];
        return weight.index_select(0, ids.reshape(-1)).view(shape).MoveToOuterDisposeScope(); // (N, dim) -> (*, dim)
    }
}
