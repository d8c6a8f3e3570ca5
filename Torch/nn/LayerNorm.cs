namespace AkkaRlhf.Torch;

/// <summary>Layer normalisation over the last dimension, with learned scale (1) and shift (0).</summary>
public sealed class LayerNorm : Module
{
    public readonly Parameter weight;
    public readonly Parameter? bias;
    private readonly double eps;

    public LayerNorm(long normalized_shape, double eps = 1e-5, bool hasBias = true, Device? device = null)
    {
        this.eps = eps;
        weight = register_parameter("weight", Init.Constant([normalized_shape], 1.0, device))!;
        bias = register_parameter("bias", hasBias ? Init.Constant([normalized_shape], 0.0, device) : null);
    }

    public Tensor forward(Tensor x) => torch.nn.functional.layer_norm(x, [weight.size(0)], weight, bias, eps);
}
