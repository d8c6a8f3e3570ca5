using AkkaRlhf.Actors.Pipeline;
using AkkaRlhf.Actors.Cluster;

namespace AkkaRlhf.Hosting.Tests;

/// <summary>The configuration files shipped in <c>hocon/</c> load over every module's reference.conf and give valid settings.</summary>
public sealed class HoconExampleSpecs
{
    /// <summary>The repository's <c>hocon/</c> folder, found upwards from this source file (the binaries may live elsewhere).</summary>
    private static string HoconDir([System.Runtime.CompilerServices.CallerFilePath] string source = "")
    {
        for (var dir = Path.GetDirectoryName(source); !string.IsNullOrEmpty(dir); dir = Path.GetDirectoryName(dir))
            if (File.Exists(Path.Combine(dir, "hocon", "ppo.conf")) && File.Exists(Path.Combine(dir, "AkkaRlhf.sln")))
                return Path.Combine(dir, "hocon");
        throw new DirectoryNotFoundException($"no hocon/ folder above {source}");
    }

    public static TheoryData<string> Examples() => [.. Directory.GetFiles(HoconDir(), "*.conf").Select(f => Path.GetFileName(f)).Order()];

    [Theory]
    [MemberData(nameof(Examples))]
    public void Every_example_must_load_and_give_valid_pipeline_and_cluster_settings(string file)
    {
        var config = AppConfig.Load(Path.Combine(HoconDir(), file), []);
        var pipeline = PipelineSettings.FromConfig(config);
        var cluster = ClusterSettings.Create(config);
        Assert.True(pipeline.Ppo.Iterations > 0);
        Assert.True(cluster.MaxMessageSize >= 2L * cluster.WeightsChunkSize);
    }

    [Fact]
    public void The_cluster_example_must_run_ppo_conf_with_four_roles_on_cluster_nodes()
    {
        var pipeline = PipelineSettings.FromConfig(AppConfig.Load(Path.Combine(HoconDir(), "cluster.conf"), []));
        var single = PipelineSettings.FromConfig(AppConfig.Load(Path.Combine(HoconDir(), "ppo.conf"), []));
        Assert.Equal(["rollout", "reference", "reward", "critic"], pipeline.Ppo.ClusterRoles);
        Assert.Null(pipeline.Ppo.Learner.UseRole);
        Assert.Equal((single.Ppo.Iterations, single.Ppo.PromptsPerIteration, single.Ppo.Generator.PoolSize),
            (pipeline.Ppo.Iterations, pipeline.Ppo.PromptsPerIteration, pipeline.Ppo.Generator.PoolSize));
    }
}
