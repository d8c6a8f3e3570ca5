using AkkaRlhf.Configuration;

namespace AkkaRlhf.Cluster.Tests;

public sealed class ClusterSettingsSpecs
{
    private static ClusterSettings Read(string hocon, params (string Key, string Value)[] env) =>
        ClusterSettings.FromConfig(ConfigurationFactory.ParseString(hocon), name => env.FirstOrDefault(e => e.Key == name).Value);

    [Fact]
    public void The_reference_configuration_gives_the_documented_defaults()
    {
        var s = Read("");
        Assert.Equal(("127.0.0.1", 5672, "/", "guest"), (s.Broker.Host, s.Broker.Port, s.Broker.VirtualHost, s.Broker.Username));
        Assert.Equal((TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(15)), (s.HeartbeatInterval, s.UnreachableAfter, s.RemovedAfter));
        Assert.Equal((16 << 20, 4 << 20, (ushort)1, (ushort)256), (s.MaxMessageSize, s.ChunkSize, s.RolePrefetch, s.NodePrefetch));
        Assert.Equal((64, TimeSpan.FromMilliseconds(5), ""), (s.NodeAckBatch, s.NodeAckDelay, s.WeightsSharedDir));
        Assert.False(s.Broker.Tls.Enabled);
        Assert.Empty(s.Roles);
    }

    [Fact]
    public void Credentials_come_from_the_environment_when_set_there_and_never_appear_in_the_broker_text()
    {
        var s = Read("akka.cluster.broker { host = \"rabbit.internal\", username = \"nobody\" }",
            ("AKKA_RLHF_BROKER_USER", "trainer"), ("AKKA_RLHF_BROKER_PASSWORD", "s3cret"));
        Assert.Equal(("trainer", "s3cret"), (s.Broker.Username, s.Broker.Password));
        Assert.DoesNotContain("s3cret", s.Broker.ToString());
    }

    [Fact]
    public void The_guest_account_is_refused_for_a_broker_that_is_not_on_loopback()
    {
        var e = Assert.Throws<ClusterConfigurationException>(() => Read("akka.cluster.broker.host = \"10.0.0.5\""));
        Assert.Contains("guest", e.Message);
        Assert.Contains("AKKA_RLHF_BROKER_USER", e.Message);
        Assert.Equal("localhost", Read("akka.cluster.broker.host = localhost").Broker.Host);
    }

    [Fact]
    public void A_chunk_size_without_headroom_below_the_message_size_limit_is_refused()
    {
        var e = Assert.Throws<ClusterConfigurationException>(() => Read("akka.cluster { max-message-size = 1MiB, weights.chunk-size = 1MiB }"));
        Assert.Contains("chunk-size", e.Message);
    }

    [Fact]
    public void A_node_ack_batch_larger_than_the_node_prefetch_is_refused_naming_both_keys()
    {
        var e = Assert.Throws<ClusterConfigurationException>(() => Read("akka.cluster { prefetch.node = 32, node-ack.batch = 64 }"));
        Assert.Contains("node-ack.batch (64)", e.Message);
        Assert.Contains("prefetch.node (32)", e.Message);
        Assert.Equal(1, Read("akka.cluster.node-ack.batch = 1").NodeAckBatch);
        Assert.Contains("duplicate-window (100)", Assert.Throws<ClusterConfigurationException>(() => Read("akka.cluster.duplicate-window = 100")).Message);
    }

    [Fact]
    public void Roles_and_tls_are_read_and_invalid_role_names_refused()
    {
        var s = Read("akka.cluster { roles = [rollout, reward], broker.tls { enabled = on, server-name = broker.example } }");
        Assert.Equal(["rollout", "reward"], s.Roles);
        Assert.True(s.Broker.Tls.Enabled);
        Assert.StartsWith("amqps://", s.Broker.ToString());
        Assert.Throws<ClusterConfigurationException>(() => Read("akka.cluster.roles = [\"bad role\"]"));
    }
}
