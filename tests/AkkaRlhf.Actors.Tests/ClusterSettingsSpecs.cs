using AkkaRlhf.Actors.Cluster;
using AkkaRlhf.Actors.Pipeline;
using AkkaRlhf.Configuration;

namespace AkkaRlhf.Actors.Tests;

/// <summary><c>akka-rlhf.cluster</c>: read once from the configuration (defaults from reference.conf), checked in the constructor.</summary>
public sealed class ClusterSettingsSpecs
{
    private static ClusterSettings Read(string hocon = "") =>
        ClusterSettings.Create(ConfigurationFactory.ParseString(hocon).WithFallback(PipelineSettings.Reference));

    [Fact]
    public void The_defaults_must_come_from_reference_conf()
    {
        var settings = Read();
        Assert.Equal("", settings.WeightsSharedDir);
        Assert.Equal(80 * 1024, settings.WeightsChunkSize);
        Assert.Equal(TimeSpan.FromSeconds(2), settings.WeightsChunkTimeout);
        Assert.Equal(16L << 20, settings.MaxMessageSize);
        Assert.Equal(TimeSpan.FromSeconds(1), settings.IdentifyInterval);
    }

    [Theory]
    [InlineData("akka-rlhf.cluster.weights.chunk-size = 512b", "akka-rlhf.cluster.weights.chunk-size must be at least 1KiB")]
    [InlineData("akka-rlhf.cluster.weights.chunk-size = 10MiB", "must be at most half of akka.remote.dot-netty.tcp.maximum-frame-size")]
    [InlineData("akka-rlhf.cluster.weights.chunk-timeout = 0s", "akka-rlhf.cluster.weights.chunk-timeout must be positive")]
    [InlineData("akka-rlhf.cluster.identify-interval = 0s", "akka-rlhf.cluster.identify-interval must be positive")]
    public void A_bad_value_must_be_refused_naming_its_key(string hocon, string message) =>
        Assert.Contains(message, Assert.Throws<ConfigurationException>(() => Read(hocon)).Message);
}
