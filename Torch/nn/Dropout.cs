namespace AkkaRlhf.Torch;

/// <summary>Inverted dropout, active only in training mode; draws from its own generator when given.</summary>
public sealed class Dropout(double p, Generator? generator = null) : Module
{
    public double p { get; } = p;

    public Tensor forward(Tensor x) => torch.nn.functional.dropout(x, p, training, generator);
}
