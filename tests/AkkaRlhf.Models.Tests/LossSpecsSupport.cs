using TorchSharp;
using static TorchSharp.torch;

namespace AkkaRlhf.Models.Tests;

/// <summary>Small tensor builders and checks shared by the loss and training specs.</summary>
internal static class Td
{
    /// <summary>A float64 vector.</summary>
    public static Tensor V(params double[] xs) => torch.tensor(xs);

    /// <summary>A float64 matrix.</summary>
    public static Tensor M(double[,] xs) => torch.tensor(xs);

    /// <summary>A float64 tensor of the given shape.</summary>
    public static Tensor Of(double[] xs, params long[] shape) => torch.tensor(xs, shape);

    public static double[] A(Tensor t) => t.detach().to(ScalarType.Float64).data<double>().ToArray();

    public static void Close(double expected, double actual, double tol = 1e-9) =>
        Assert.True(Math.Abs(expected - actual) <= tol, $"expected {expected:R}, got {actual:R} (tol {tol})");

    public static void Close(double[] expected, Tensor actual, double tol = 1e-9) => Close(expected, A(actual), tol);

    public static void Close(double[] expected, double[] actual, double tol = 1e-9)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tol, $"[{i}] expected {expected[i]:R}, got {actual[i]:R} (tol {tol}); all: [{string.Join(", ", actual)}]");
    }
}

/// <summary>
/// Finite-difference gradient check in float64: central differences with step 1e-6 against autograd,
/// |numeric - analytic| &lt;= 1e-6 * max(|numeric|, |analytic|) + 1e-9 (the floor covers exact zeros).
/// </summary>
internal static class GradCheck
{
    public const double Step = 1e-6;
    public const double RelTol = 1e-6;

    /// <summary>Checks the gradient of the scalar <paramref name="f"/> with respect to every input.</summary>
    public static void Check(Func<Tensor[], Tensor> f, params (double[] data, long[] shape)[] inputs)
    {
        using var scope = torch.NewDisposeScope();
        var leaves = inputs.Select(x => torch.tensor(x.data, x.shape, requires_grad: true)).ToArray();
        f(leaves).backward();
        var analytic = leaves.Select(l => Td.A(l.grad!)).ToArray();

        double Eval(int which, int index, double delta)
        {
            using var s = torch.NewDisposeScope();
            using var ng = torch.no_grad();
            var xs = inputs.Select((x, i) =>
            {
                var d = (double[])x.data.Clone();
                if (i == which) d[index] += delta;
                return torch.tensor(d, x.shape);
            }).ToArray();
            return f(xs).ToDouble();
        }

        var checkedAny = false;
        for (var i = 0; i < inputs.Length; i++)
            for (var j = 0; j < inputs[i].data.Length; j++)
            {
                var numeric = (Eval(i, j, Step) - Eval(i, j, -Step)) / (2 * Step);
                var a = analytic[i][j];
                var tol = RelTol * Math.Max(Math.Abs(numeric), Math.Abs(a)) + 1e-9;
                Assert.True(Math.Abs(numeric - a) <= tol, $"input {i}[{j}]: autograd {a:R}, central difference {numeric:R}");
                checkedAny |= Math.Abs(a) > 1e-6;
            }
        Assert.True(checkedAny, "every gradient was zero: the check proved nothing");
    }
}
