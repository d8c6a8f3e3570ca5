using static AkkaRlhf.Torch.Native;

namespace AkkaRlhf.Torch;

public static partial class torch
{
    /// <summary>torch.nn: modules live in the namespace AkkaRlhf.Torch (Module, Linear, ...); functions here.</summary>
    public static partial class nn
    {
        /// <summary>Stateless neural-network functions (torch.nn.functional).</summary>
        public static class functional
        {
            /// <summary>y = x W^T + b. x: (*, in), weight: (out, in), bias: (out).</summary>
            public static Tensor linear(Tensor input, Tensor weight, Tensor? bias = null)
            {
                var t = new Tensor(ats_linear(input, weight, Tensor.Ptr(bias)));
                GC.KeepAlive(bias);
                return t;
            }

            /// <summary>Rows of <paramref name="weight"/> (num, dim) picked by integer <paramref name="input"/>: (*) -> (*, dim).</summary>
            public static Tensor embedding(Tensor input, Tensor weight) => new(ats_embedding(weight, input));

            /// <summary>Normalises over the trailing <paramref name="normalized_shape"/> dimensions, then scales and shifts.</summary>
            public static Tensor layer_norm(Tensor input, long[] normalized_shape, Tensor? weight = null, Tensor? bias = null, double eps = 1e-5)
            {
                var t = new Tensor(ats_layer_norm(input, normalized_shape, normalized_shape.Length, Tensor.Ptr(weight), Tensor.Ptr(bias), eps));
                GC.KeepAlive(weight);
                GC.KeepAlive(bias);
                return t;
            }

            /// <summary>
            /// Inverted dropout. The training flag is explicit (libtorch's C++ default is training=true);
            /// the mask is drawn from <paramref name="generator"/> when given.
            /// </summary>
            public static Tensor dropout(Tensor input, double p, bool training, Generator? generator = null)
            {
                var t = new Tensor(ats_dropout(input, p, training ? 1 : 0, Generator.Ptr(generator)));
                GC.KeepAlive(generator);
                return t;
            }

            /// <summary>GELU; <paramref name="approximate"/> "tanh" (GPT-2) or "none" (erf).</summary>
            public static Tensor gelu(Tensor input, string approximate = "none") => approximate switch
            {
                "tanh" => UnaryOp(input, Native.Unary.GeluTanh),
                "none" => UnaryOp(input, Native.Unary.Gelu),
                _ => throw new ArgumentException($"gelu approximate must be \"none\" or \"tanh\", got \"{approximate}\"", nameof(approximate)),
            };

            public static Tensor relu(Tensor input) => input.relu();
            public static Tensor silu(Tensor input) => UnaryOp(input, Native.Unary.Silu);
            public static Tensor softmax(Tensor input, long dim) => input.softmax(dim);
            public static Tensor log_softmax(Tensor input, long dim) => input.log_softmax(dim);

            /// <summary>log(sigmoid(x)), computed stably.</summary>
            public static Tensor logsigmoid(Tensor input) => UnaryOp(input, Native.Unary.LogSigmoid);

            /// <summary>Mean negative log-likelihood of <paramref name="target"/> classes under <paramref name="logits"/> (N, C).</summary>
            public static Tensor cross_entropy(Tensor logits, Tensor target)
            {
                using var scope = NewDisposeScope();
                var nll = -logits.log_softmax(-1).gather(-1, target.unsqueeze(-1)).squeeze(-1);
                return nll.mean().MoveToOuterDisposeScope();
            }

            private static Tensor UnaryOp(Tensor input, Native.Unary op)
            {
                var r = new Tensor(ats_unary(op, Tensor.Ptr(input)));
                GC.KeepAlive(input);
                return r;
            }

            /// <summary>Mean of squared differences.</summary>
            public static Tensor mse_loss(Tensor input, Tensor target)
            {
                using var scope = NewDisposeScope();
                return (input - target).square().mean().MoveToOuterDisposeScope();
            }
        }

        /// <summary>torch.nn.utils.</summary>
        public static class utils
        {
            /// <summary>
            /// Scales the gradients of <paramref name="parameters"/> so their global norm is at most
            /// <paramref name="max_norm"/>; returns the norm before clipping.
            /// </summary>
            public static double clip_grad_norm_(IEnumerable<Tensor> parameters, double max_norm, double norm_type = 2.0)
            {
                var ps = parameters.ToList();
                Check(ats_clip_grad_norm(Tensor.Ptrs(ps), ps.Count, max_norm, norm_type, out var total));
                GC.KeepAlive(ps);
                return total;
            }
        }
    }
}
