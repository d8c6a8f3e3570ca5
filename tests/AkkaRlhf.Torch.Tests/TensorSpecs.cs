using AkkaRlhf.Torch;
using F = AkkaRlhf.Torch.torch.nn.functional;

namespace AkkaRlhf.Torch.Tests;

public class TensorSpecs
{
    private static void Close(double expected, double actual, double tol = 1e-5) =>
        Assert.True(Math.Abs(expected - actual) <= tol, $"expected {expected}, got {actual}");

    private static void AllClose(float[] expected, float[] actual, double tol = 1e-5)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tol, $"element {i}: expected {expected[i]}, got {actual[i]}");
    }

    [Fact]
    public void Tensor_must_round_trip_data_and_shape()
    {
        using var t = torch.tensor(new float[] { 1, 2, 3, 4, 5, 6 }, [2, 3]);
        Assert.Equal(new long[] { 2, 3 }, t.shape);
        Assert.Equal(ScalarType.Float32, t.dtype);
        Assert.Equal(Device.CPU, t.device);
        Assert.Equal(new float[] { 1, 2, 3, 4, 5, 6 }, t.ToArray<float>());
        using var l = torch.tensor(new long[] { -1, long.MaxValue });
        Assert.Equal(new[] { -1, long.MaxValue }, l.ToArray<long>());
        using var b = torch.tensor(new[] { true, false });
        Assert.Equal(new[] { true, false }, b.ToArray<bool>());
    }

    [Fact]
    public void Tensor_from_data_must_reject_a_shape_that_does_not_match_the_data()
    {
        var e = Assert.Throws<TorchException>(() => torch.tensor(new float[] { 1, 2, 3 }, [2, 2]));
        Assert.Contains("does not match shape", e.Message);
    }

    [Fact]
    public void Arithmetic_must_broadcast_like_pytorch()
    {
        using var scope = torch.NewDisposeScope();
        var a = torch.tensor(new float[] { 1, 2, 3, 4, 5, 6 }, [2, 3]);
        var row = torch.tensor(new float[] { 10, 20, 30 }, [1, 3]);
        var col = torch.tensor(new float[] { 100, 200 }, [2, 1]);
        Assert.Equal(new float[] { 11, 22, 33, 14, 25, 36 }, (a + row).ToArray<float>());
        Assert.Equal(new float[] { 101, 102, 103, 204, 205, 206 }, (a + col).ToArray<float>());
        Assert.Equal(new float[] { 2, 4, 6, 8, 10, 12 }, (a * 2).ToArray<float>());
        Assert.Equal(new float[] { 9, 8, 7, 6, 5, 4 }, (10 - a).ToArray<float>());
        Assert.Equal(new float[] { 1, 0.5f, 1f / 3, 0.25f, 0.2f, 1f / 6 }, (1 / a).ToArray<float>());
        Assert.Equal(new float[] { -1, -2, -3, -4, -5, -6 }, (-a).ToArray<float>());
        Assert.Equal(new float[] { 1, 4, 9, 16, 25, 36 }, a.pow(2).ToArray<float>());
        AllClose([0.1f, 0.1f, 0.1f, 0.4f, 0.25f, 0.2f], (a / row).ToArray<float>());
    }

    [Fact]
    public void Integral_scalars_must_keep_integer_tensors_integral_as_in_pytorch()
    {
        using var scope = torch.NewDisposeScope();
        var ids = torch.tensor(new long[] { 3, 5 });
        Assert.Equal(ScalarType.Int64, (ids - 1).dtype);
        Assert.Equal(new long[] { 2, 4 }, (ids - 1).ToArray<long>());
        Assert.Equal(new long[] { 6, 10 }, (ids * 2).ToArray<long>());
        Assert.Equal(new long[] { -2, -4 }, (1 - ids).ToArray<long>());
        Assert.Equal(ScalarType.Float32, (ids * 0.5).dtype);                // a fractional scalar promotes
        Assert.Equal(ScalarType.Float32, (torch.ones([2]) - 1).dtype);
    }

    [Fact]
    public void Matmul_must_equal_a_manual_loop()
    {
        using var scope = torch.NewDisposeScope();
        using var g = new Generator(7);
        var a = torch.randn([5, 7], generator: g);
        var b = torch.randn([7, 3], generator: g);
        var (av, bv) = (a.ToArray<float>(), b.ToArray<float>());
        var expected = new float[15];
        for (var i = 0; i < 5; i++)
            for (var j = 0; j < 3; j++)
            {
                double s = 0;
                for (var k = 0; k < 7; k++) s += av[i * 7 + k] * bv[k * 3 + j];
                expected[i * 3 + j] = (float)s;
            }
        AllClose(expected, a.matmul(b).ToArray<float>(), 1e-4);
        // Batched: (2, 5, 7) @ (7, 3) broadcasts over the batch.
        var batched = torch.stack([a, a]).matmul(b);
        Assert.Equal(new long[] { 2, 5, 3 }, batched.shape);
        AllClose(expected.Concat(expected).ToArray(), batched.ToArray<float>(), 1e-4);
    }

    [Fact]
    public void Softmax_rows_must_sum_to_one_and_match_the_closed_form()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(new float[] { 1, 2, 3, -1, 0, 1000 }, [2, 3]);
        var p = x.softmax(-1);
        AllClose([1, 1], p.sum(1).ToArray<float>());
        var e = new[] { Math.Exp(1), Math.Exp(2), Math.Exp(3) };
        var z = e.Sum();
        AllClose(e.Select(v => (float)(v / z)).ToArray(), p.select(0, 0).ToArray<float>());
        AllClose([0, 0, 1], p.select(0, 1).ToArray<float>());
        // log_softmax is stable for large logits and equals log(softmax) elsewhere.
        var lp = x.log_softmax(-1);
        Close(0, lp.select(0, 1).select(0, 2).item());
        Close(Math.Log(e[0] / z), lp.select(0, 0).select(0, 0).item());
    }

    [Fact]
    public void Reductions_must_match_closed_forms()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(new float[] { 1, 2, 3, 4, 5, 6 }, [2, 3]);
        Close(21, x.sum().item());
        Close(3.5, x.mean().item());
        AllClose([5, 7, 9], x.sum(0).ToArray<float>());
        AllClose([2, 5], x.mean(1).ToArray<float>());
        Assert.Equal(new long[] { 2, 1 }, x.sum(1, keepdim: true).shape);
        Close(6, x.max().item());
        Close(1, x.min().item());
        var (v, i) = x.max(1);
        AllClose([3, 6], v.ToArray<float>());
        Assert.Equal(new long[] { 2, 2 }, i.ToArray<long>());
        Close(Math.Log(Math.Exp(1) + Math.Exp(2) + Math.Exp(3)), x.logsumexp(1).select(0, 0).item());
        Close(3.5, x.var(correction: 1).item());
        Close(Math.Sqrt(17.5 / 6), x.std(correction: 0).item());
        Assert.Equal(new long[] { 2, 2 }, x.argmax(1).ToArray<long>());
        AllClose([1, 3, 6, 4, 9, 15], x.cumsum(1).ToArray<float>());
    }

    [Fact]
    public void Shape_operations_must_rearrange_elements_like_pytorch()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.arange(24, ScalarType.Float32).view(2, 3, 4);
        Assert.Equal(new long[] { 6, 4 }, x.reshape(-1, 4).shape);
        var tr = x.transpose(1, 2);
        Assert.Equal(new long[] { 2, 4, 3 }, tr.shape);
        Assert.False(tr.is_contiguous());
        Assert.True(tr.contiguous().is_contiguous());
        Close(4, tr.select(0, 0).select(0, 0).select(0, 1).item());
        var p = x.permute(2, 0, 1);
        Assert.Equal(new long[] { 4, 2, 3 }, p.shape);
        Close(13, p.select(0, 1).select(0, 1).select(0, 0).item());
        AllClose([4, 5, 6, 7], x.narrow(1, 1, 1).flatten().ToArray<float>().Take(4).ToArray());
        Assert.Equal(new long[] { 2, 6, 4 }, torch.cat([x, x], 1).shape);
        Assert.Equal(new long[] { 2, 2, 3, 4 }, torch.stack([x, x], 1).shape);
        Assert.Equal(new long[] { 2, 1, 3, 4 }, x.unsqueeze(1).shape);
        Assert.Equal(new long[] { 2, 3, 4 }, x.unsqueeze(1).squeeze(1).shape);
        AllClose([1, 3], x.select(0, 0).select(0, 0).slice(0, 1, 4, 2).ToArray<float>());
        Assert.Throws<TorchException>(() => x.view(5, -1));
    }

    [Fact]
    public void Indexing_operations_must_pick_the_right_elements()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(new float[] { 10, 11, 12, 20, 21, 22 }, [2, 3]);
        var idx = torch.tensor(new long[] { 2, 0 }, [2, 1]);
        AllClose([12, 20], x.gather(1, idx).ToArray<float>());
        AllClose([12, 10, 22, 20], x.index_select(1, torch.tensor(new long[] { 2, 0 })).ToArray<float>());
        var mask = torch.tensor(new[] { true, false, true, false, false, true }, [2, 3]);
        AllClose([-1, 11, -1, 20, 21, -1], x.masked_fill(mask, -1).ToArray<float>());
        AllClose([10, 0, 12, 0, 0, 22], torch.where(mask, x, torch.zeros([1])).ToArray<float>());
        var scattered = torch.zeros([2, 3]).scatter(1, idx, torch.ones([2, 1]));
        AllClose([0, 0, 1, 1, 0, 0], scattered.ToArray<float>());
    }

    [Fact]
    public void Elementwise_functions_must_match_their_formulas()
    {
        using var scope = torch.NewDisposeScope();
        var xs = new float[] { -3, -0.5f, 0, 0.7f, 2.5f };
        var x = torch.tensor(xs);
        AllClose(xs.Select(MathF.Exp).ToArray(), x.exp().ToArray<float>(), 1e-4);
        AllClose(xs.Select(v => Math.Clamp(v, -1f, 1f)).ToArray(), x.clamp(-1, 1).ToArray<float>());
        AllClose(xs.Select(v => Math.Max(v, 0f)).ToArray(), x.clamp_min(0).ToArray<float>());
        AllClose(xs.Select(v => Math.Min(v, 0.5f)).ToArray(), x.minimum(torch.full([1], 0.5)).ToArray<float>());
        AllClose(xs.Select(v => Math.Max(v, 0.5f)).ToArray(), x.maximum(torch.full([1], 0.5)).ToArray<float>());
        AllClose(xs.Select(v => (float)-Math.Log(1 + Math.Exp(-v))).ToArray(), F.logsigmoid(x).ToArray<float>());
        // GELU, tanh form: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
        AllClose(xs.Select(v => (float)(0.5 * v * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v))))).ToArray(),
            F.gelu(x, "tanh").ToArray<float>());
        AllClose(xs.Select(v => MathF.Log(MathF.Abs(v) + 1)).ToArray(), (x.abs() + 1).log().ToArray<float>());
        Assert.Equal(new[] { false, false, true, false, false }, x.eq(0).ToArray<bool>());
    }

    [Fact]
    public void Layer_norm_linear_and_embedding_must_match_independent_computations()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(new float[] { 1, 2, 3, 4, -1, 0, 1, 10 }, [2, 4]);
        var w = torch.tensor(new float[] { 1, 2, 3, 4 });
        var b = torch.tensor(new float[] { 0, 1, 0, 1 });
        var y = F.layer_norm(x, [4], w, b, 1e-5).ToArray<float>();
        var xv = x.ToArray<float>();
        for (var r = 0; r < 2; r++)
        {
            var row = xv.Skip(r * 4).Take(4).ToArray();
            var mu = row.Average();
            var variance = row.Select(v => (v - mu) * (v - mu)).Average();
            for (var c = 0; c < 4; c++)
                Close((row[c] - mu) / Math.Sqrt(variance + 1e-5) * (c + 1) + (c % 2), y[r * 4 + c], 1e-4);
        }
        var lw = torch.tensor(new float[] { 1, 0, 2, 0, 1, -1 }, [2, 3]);   // (out=2, in=3)
        var lb = torch.tensor(new float[] { 0.5f, -0.5f });
        var lx = torch.tensor(new float[] { 1, 2, 3 }, [1, 3]);
        AllClose([1 + 6 + 0.5f, 2 - 3 - 0.5f], F.linear(lx, lw, lb).ToArray<float>());
        var table = torch.tensor(new float[] { 0, 0, 1, 1, 2, 2 }, [3, 2]);
        var e = F.embedding(torch.tensor(new long[] { 2, 0, 1 }), table);
        AllClose([2, 2, 0, 0, 1, 1], e.ToArray<float>());
    }

    [Fact]
    public void Dropout_must_obey_its_explicit_training_flag_and_generator()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.ones([1000]);
        AllClose(x.ToArray<float>(), F.dropout(x, 0.5, training: false).ToArray<float>());
        using var g1 = new Generator(1);
        using var g2 = new Generator(1);
        var a = F.dropout(x, 0.5, training: true, generator: g1).ToArray<float>();
        var b = F.dropout(x, 0.5, training: true, generator: g2).ToArray<float>();
        Assert.Equal(a, b);
        Assert.All(a, v => Assert.True(v == 0 || Math.Abs(v - 2) < 1e-6));
        var kept = a.Count(v => v != 0);
        Assert.InRange(kept, 400, 600);
    }

    [Fact]
    public void Sampling_ops_must_respect_probabilities_and_order()
    {
        using var scope = torch.NewDisposeScope();
        var probs = torch.tensor(new float[] { 0, 0, 1, 0, 0.5f, 0.5f, 0, 0 }, [2, 4]);
        using var g = new Generator(3);
        var draws = torch.multinomial(probs, 50, replacement: true, generator: g).ToArray<long>();
        Assert.All(draws.Take(50), d => Assert.Equal(2, d));
        Assert.All(draws.Skip(50), d => Assert.InRange(d, 0, 1));
        var x = torch.tensor(new float[] { 3, 1, 4, 1, 5, 9, 2, 6 });
        var (tv, ti) = x.topk(3);
        AllClose([9, 6, 5], tv.ToArray<float>());
        Assert.Equal(new long[] { 5, 7, 4 }, ti.ToArray<long>());
        var (sv, _) = x.sort(descending: true);
        AllClose([9, 6, 5, 4, 3, 2, 1, 1], sv.ToArray<float>());
    }

    [Fact]
    public void Generators_must_be_reproducible_and_restorable()
    {
        using var scope = torch.NewDisposeScope();
        using var g = new Generator(42);
        var a = torch.randn([8], generator: g).ToArray<float>();
        g.manual_seed(42);
        Assert.Equal(a, torch.randn([8], generator: g).ToArray<float>());
        var state = g.get_state();
        var next = torch.rand([4], generator: g).ToArray<float>();
        g.set_state(state);
        Assert.Equal(next, torch.rand([4], generator: g).ToArray<float>());
        torch.manual_seed(5);
        var c = torch.rand([3]).ToArray<float>();
        torch.manual_seed(5);
        Assert.Equal(c, torch.rand([3]).ToArray<float>());
    }

    [Fact]
    public void Device_must_parse_cpu_and_cuda_and_explain_missing_cuda()
    {
        Assert.Equal(Device.CPU, Device.Parse("cpu"));
        Assert.Equal(new Device(DeviceType.CUDA, 1), Device.Parse("CUDA:1"));
        Assert.Equal(new Device(DeviceType.CUDA), Device.Parse("cuda"));
        Assert.Equal("cuda:1", Device.Parse("cuda:1").ToString());
        Assert.Throws<FormatException>(() => Device.Parse("tpu"));
        Assert.Throws<FormatException>(() => Device.Parse("cuda:x"));
        if (!torch.cuda.is_available())
        {
            var e = Assert.Throws<TorchException>(() => torch.zeros([2], device: "cuda:0"));
            Assert.Contains("CUDA is not available", e.Message);
        }
    }

    [Fact]
    public void Set_num_threads_must_take_effect()
    {
        var before = torch.get_num_threads();
        try
        {
            torch.set_num_threads(2);
            Assert.Equal(2, torch.get_num_threads());
        }
        finally { torch.set_num_threads(before); }
    }
}
