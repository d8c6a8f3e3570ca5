using System.CommandLine;
using System.Diagnostics;
using System.Text;
using AkkaRlhf.Torch;

namespace AkkaRlhf.Hosting.Commands;

/// <summary>
/// <c>demo [--seed N] [--steps N]</c>: until the RLHF pipeline lands, trains a small character-level
/// language model (embedding -> MLP -> logits over bytes) on a built-in text with the libtorch
/// binding and prints its falling loss.
/// </summary>
public static class DemoCommand
{
    private const string Corpus =
        "the actor receives a batch, runs its model and replies with a batch. " +
        "the learner updates the policy and publishes new weights to the generators. " +
        "the reward model scores each response once; the reference model keeps the policy close. ";

    public static Command Create()
    {
        var seed = new Option<int>("--seed") { Description = "random seed", DefaultValueFactory = _ => 1 };
        var steps = new Option<int>("--steps") { Description = "training steps", DefaultValueFactory = _ => 300 };
        var threads = new Option<int>("--threads") { Description = "libtorch intra-op threads", DefaultValueFactory = _ => Environment.ProcessorCount };
        var demo = new Command("demo", "run the embedded single-node demo") { seed, steps, threads };
        demo.SetAction(r => Cli.Run(() => Train(r.GetValue(seed), r.GetValue(steps), r.GetValue(threads))));
        return demo;
    }

    private sealed class CharMlp : Module
    {
        private readonly Embedding embed;
        private readonly Linear hidden, output;
        private readonly int context;

        public CharMlp(int context, int dim, Generator g)
        {
            this.context = context;
            embed = register_module("embed", new Embedding(256, dim, generator: g));
            hidden = register_module("hidden", new Linear(context * dim, 4 * dim, generator: g));
            output = register_module("output", new Linear(4 * dim, 256, generator: g));
        }

        /// <summary>(B, context) byte ids -> (B, 256) next-byte logits.</summary>
        public Tensor forward(Tensor ids)
        {
            using var scope = torch.NewDisposeScope();
            var e = embed.forward(ids);                        // (B, context, dim)
            var h = hidden.forward(e.flatten(1)).relu();       // (B, 4 dim)
            return output.forward(h).MoveToOuterDisposeScope(); // (B, 256)
        }
    }

    private static int Train(int seed, int steps, int threads)
    {
        torch.set_num_threads(Math.Max(1, threads));
        torch.manual_seed((ulong)seed);
        using var g = new Generator((ulong)seed);
        const int context = 8;
        var bytes = Encoding.ASCII.GetBytes(Corpus).Select(b => (long)b).ToArray();
        var n = bytes.Length - context;
        var xs = new long[n * context];
        var ys = new long[n];
        for (var i = 0; i < n; i++)
        {
            Array.Copy(bytes, i, xs, i * context, context);
            ys[i] = bytes[i + context];
        }
        using var x = torch.tensor(xs, [n, context]);
        using var y = torch.tensor(ys);
        using var model = new CharMlp(context, 24, g);
        using var opt = new AdamW(model.parameters(), lr: 3e-3, weight_decay: 0.01);
        Console.WriteLine($"demo: character MLP, {model.parameters().Sum(p => p.numel())} parameters, {n} examples, seed {seed}");
        var clock = Stopwatch.StartNew();
        double first = double.NaN, loss = double.NaN;
        for (var step = 1; step <= steps; step++)
        {
            using var scope = torch.NewDisposeScope();
            var idx = torch.randint(0, n, [64], generator: g);
            opt.zero_grad();
            var l = torch.nn.functional.cross_entropy(model.forward(x.index_select(0, idx)), y.index_select(0, idx));
            l.backward();
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0);
            opt.step();
            loss = l.item();
            if (step == 1) first = loss;
            if (step == 1 || step % 25 == 0 || step == steps)
                Console.WriteLine($"step {step,4}  loss {loss:F4}  ({clock.Elapsed.TotalSeconds:F1}s)");
        }
        Console.WriteLine($"loss fell from {first:F3} to {loss:F3} (uniform guess: {Math.Log(256):F3})");
        return loss < first ? 0 : 1;
    }
}
