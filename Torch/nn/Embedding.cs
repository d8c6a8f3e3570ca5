namespace AkkaRlhf.Torch;

/// <summary>A lookup table of <c>num_embeddings</c> vectors of size <c>embedding_dim</c>, initialised N(0, 1) as PyTorch.</summary>
public sealed class Embedding : Module
{
    public readonly Parameter weight;   // (num, dim)

    public Embedding(long num_embeddings, long embedding_dim, double std = 1.0, Device? device = null, Generator? generator = null) =>
        weight = register_parameter("weight", Init.Normal([num_embeddings, embedding_dim], std, device, generator))!;

    /// <summary>(*) integer ids -> (*, dim).</summary>
    public Tensor forward(Tensor ids) => torch.nn.functional.embedding(ids, weight);
}
