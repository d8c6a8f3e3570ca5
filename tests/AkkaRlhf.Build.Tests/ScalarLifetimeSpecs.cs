using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace AkkaRlhf.Build.Tests;

/// <summary>
/// <see cref="ScalarLifetime"/> on the real TorchSharp assembly, on methods written both ways, and on every
/// assembly of the product: none may leave a Scalar to the finalizer while libtorch reads it.
/// </summary>
public sealed class ScalarLifetimeSpecs(ITestOutputHelper output)
{
    static readonly string TorchSharpAssembly = typeof(torch).Assembly.Location;
    static readonly Lazy<IReadOnlySet<string>> Temporaries = new(() => ScalarLifetime.TemporaryScalarMembers(TorchSharpAssembly));

    /// <summary>The product's assemblies, copied here by the project reference to the CLI.</summary>
    static readonly string[] Product =
        ["AkkaRlhf.Models.dll", "AkkaRlhf.Actors.dll", "AkkaRlhf.Persistence.dll", "AkkaRlhf.Configuration.dll", "akka-rlhf.dll"];

    /// <summary>The specs, the public testkit and the sample plug-in (built before this project, see its project file).</summary>
    static readonly string[] Specs =
    [
        "AkkaRlhf.Actors.Tests", "AkkaRlhf.Build.Tests", "AkkaRlhf.Cluster.Tests", "AkkaRlhf.Configuration.Tests", "AkkaRlhf.Hosting.Tests",
        "AkkaRlhf.Models.Tests", "AkkaRlhf.Persistence.Tests", "AkkaRlhf.Resume.Tests", "AkkaRlhf.TestKit", "AkkaRlhf.Plugin.Sample",
    ];

    [Theory]
    [InlineData("Tensor.op_Addition(Tensor, Tensor)")]      // x + y is x.add(y, 1)
    [InlineData("Tensor.add(Tensor)")]
    [InlineData("Tensor.op_Addition(Tensor, Scalar)")]      // x + s is x.add(s, 1)
    [InlineData("Tensor.op_Multiply(Tensor, Double)")]      // x * 0.5 makes a Scalar of 0.5
    [InlineData("Tensor.op_Subtraction(Double, Tensor)")]
    [InlineData("torch.arange(Scalar, Nullable<ScalarType>, Device, Boolean)")] // start 0 and step 1
    [InlineData("AdamW.step(Func<Tensor>)")]                  // its update, a lambda, makes each beta and step size on the fly
    public void TorchSharp_members_that_make_a_Scalar_of_their_own_are_found(string member) =>
        Assert.Contains(member, Temporaries.Value);

    [Theory]
    [InlineData("Tensor.mul(Scalar)")]
    [InlineData("Tensor.add(Tensor, Scalar)")]
    [InlineData("Tensor.sub(Tensor)")]
    [InlineData("Tensor.op_Subtraction(Tensor, Tensor)")]
    [InlineData("Tensor.clamp(Scalar, Scalar)")]
    [InlineData("torch.arange(Scalar, Scalar, Scalar, Nullable<ScalarType>, Device, Boolean)")]
    public void TorchSharp_members_that_only_pass_on_a_callers_Scalar_are_not(string member)
    {
        Assert.Contains(member, AllMembers());  // the name is real
        Assert.DoesNotContain(member, Temporaries.Value);
    }

    [Fact]
    public void Methods_that_leave_a_Scalar_to_the_finalizer_are_found_and_methods_that_hold_theirs_are_not()
    {
        var leaks = ScalarLifetime.Leaks(typeof(ScalarLifetimeSpecs).Assembly.Location, Temporaries.Value)
            .Where(l => l.StartsWith(nameof(Samples) + ".", StringComparison.Ordinal)).ToList();
        Assert.Equal(
            [
                "Samples.DisposesSomethingElse(Tensor): ScalarExtensionMethods.ToScalar(Double)",
                "Samples.Implicit(Tensor): Scalar.op_Implicit(Double)",
                "Samples.NumberOperator(Tensor): Tensor.op_Multiply(Tensor, Double)",
                "Samples.TensorPlusTensor(Tensor, Tensor): Tensor.op_Addition(Tensor, Tensor)",
                "Samples.UndisposedToScalar(Tensor): ScalarExtensionMethods.ToScalar(Double)",
            ],
            leaks.Order());
    }

    [Fact]
    public void No_method_of_the_product_leaves_a_Scalar_to_the_finalizer()
    {
        var leaks = Product.SelectMany(a => ScalarLifetime.Leaks(Path.Combine(AppContext.BaseDirectory, a), Temporaries.Value)).ToList();
        foreach (var leak in leaks) output.WriteLine(leak);
        Assert.True(leaks.Count == 0, $"{leaks.Count} calls leave a Scalar to the finalizer (docs/models.md, 'Numbers meeting tensors'):\n{string.Join("\n", leaks)}");
    }

    [Fact]
    public void No_method_of_the_specs_or_the_testkit_leaves_a_Scalar_to_the_finalizer()
    {
        var assemblies = Specs.Select(Built).ToList();
        Assert.All(assemblies, a => Assert.True(File.Exists(a), $"{a} is not built"));
        var leaks = assemblies.SelectMany(a => ScalarLifetime.Leaks(a, Temporaries.Value).Select(l => $"{Path.GetFileName(a)}: {l}"))
            .Where(l => !l.Contains(": " + nameof(Samples) + ".", StringComparison.Ordinal)).ToList();  // leaky on purpose, above
        foreach (var leak in leaks) output.WriteLine(leak);
        Assert.True(leaks.Count == 0, $"{leaks.Count} calls leave a Scalar to the finalizer (docs/models.md, 'Numbers meeting tensors'):\n{string.Join("\n", leaks)}");
    }

    /// <summary>Where <paramref name="project"/>'s assembly is built: this one's output folder with the project's name in place of this one's.</summary>
    static string Built(string project)
    {
        var (own, separator) = (typeof(ScalarLifetimeSpecs).Assembly.GetName().Name!, Path.DirectorySeparatorChar);
        var folder = AppContext.BaseDirectory.Replace($"{separator}{own}{separator}", $"{separator}{project}{separator}", StringComparison.Ordinal);
        return Path.Combine(folder, project + ".dll");
    }

    static IReadOnlySet<string> AllMembers() => ScalarLifetime.Members(TorchSharpAssembly);

    /// <summary>Each way of meeting a number with a tensor, leaky and held.</summary>
    static class Samples
    {
        static readonly Scalar One = 1.ToScalar();

        public static Tensor Implicit(Tensor x) => x.mul(0.5);
        public static Tensor NumberOperator(Tensor x) => x * 0.5;
        public static Tensor TensorPlusTensor(Tensor x, Tensor y) => x + y;
        public static Tensor UndisposedToScalar(Tensor x) => x.mul(0.5.ToScalar());

        public static Tensor Held(Tensor x)
        {
            using var half = 0.5.ToScalar();
            return x.mul(half);
        }

        public static Tensor DisposesSomethingElse(Tensor x)
        {
            using var scope = NewDisposeScope();
            return x.mul(0.5.ToScalar()).MoveToOuterDisposeScope();
        }

        public static Tensor HeldAndCaptured(Tensor x)
        {
            using var half = 0.5.ToScalar();
            Tensor Halve(Tensor t) => t.mul(half);                                              // half lives in a closure
            return Halve(x);
        }

        public static Tensor StaticAlpha(Tensor x, Tensor y) => x.add(y, One);
        public static Tensor TensorMinusTensor(Tensor x, Tensor y) => x - y;
    }
}
