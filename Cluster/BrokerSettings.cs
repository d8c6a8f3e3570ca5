using System.Net;

namespace AkkaRlhf.Cluster;

/// <summary>Where the broker is and how to log in (keys under <c>akka.cluster.broker</c>).</summary>
/// <param name="Host">Broker host.</param>
/// <param name="Port">AMQP port.</param>
/// <param name="VirtualHost">Virtual host.</param>
/// <param name="Username">User name (already taken from the environment when set there).</param>
/// <param name="Password">Password (already taken from the environment when set there).</param>
/// <param name="ConnectionTimeout">Time allowed to open a connection.</param>
/// <param name="RequestedHeartbeat">AMQP heartbeat between node and broker.</param>
/// <param name="Tls">TLS settings.</param>
public sealed record BrokerSettings(
    string Host,
    int Port,
    string VirtualHost,
    string Username,
    string Password,
    TimeSpan ConnectionTimeout,
    TimeSpan RequestedHeartbeat,
    TlsSettings Tls)
{
    /// <summary>A broker on this machine with the default account (tests, single-machine runs).</summary>
    public static BrokerSettings Loopback(int port) =>
        new("127.0.0.1", port, "/", "guest", "guest", TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10), TlsSettings.Off);

    /// <summary>True when <see cref="Host"/> names this machine (localhost or a loopback address).</summary>
    public bool IsLoopback =>
        string.Equals(Host, "localhost", StringComparison.OrdinalIgnoreCase) ||
        (IPAddress.TryParse(Host, out var ip) && IPAddress.IsLoopback(ip));

    /// <summary>
    /// Refuses settings that must not reach the network: the built-in <c>guest</c> account for a broker
    /// that is not on loopback (RabbitMQ refuses it there too, with a less helpful error).
    /// </summary>
    /// <exception cref="ClusterConfigurationException">The settings are unsafe or incomplete.</exception>
    public BrokerSettings Validate()
    {
        if (string.IsNullOrWhiteSpace(Host)) throw new ClusterConfigurationException("akka.cluster.broker.host is empty.");
        if (Port is <= 0 or > 65535) throw new ClusterConfigurationException($"akka.cluster.broker.port {Port} is not a TCP port.");
        if (string.Equals(Username, "guest", StringComparison.Ordinal) && !IsLoopback)
            throw new ClusterConfigurationException(
                $"Refusing to connect to the broker at {Host}:{Port} as the built-in 'guest' account: it is only for loopback. " +
                "Create a user on the broker and set it with akka.cluster.broker.username (or AKKA_RLHF_BROKER_USER) and the " +
                "password with AKKA_RLHF_BROKER_PASSWORD.");
        return this;
    }

    /// <summary>The broker as <c>amqp(s)://user@host:port/vhost</c>, without the password (for logs).</summary>
    public override string ToString() =>
        $"{(Tls.Enabled ? "amqps" : "amqp")}://{Username}@{Host}:{Port}{(VirtualHost == "/" ? "/" : "/" + Uri.EscapeDataString(VirtualHost))}";
}

/// <summary>TLS to the broker (keys under <c>akka.cluster.broker.tls</c>).</summary>
/// <param name="Enabled">Connect over TLS.</param>
/// <param name="ServerName">Name the broker's certificate must carry; empty = the broker host.</param>
/// <param name="ClientCertificate">PKCS#12 client certificate for mutual TLS; empty = none.</param>
/// <param name="ClientCertificatePassword">Its password.</param>
public sealed record TlsSettings(bool Enabled, string ServerName, string ClientCertificate, string ClientCertificatePassword)
{
    /// <summary>No TLS.</summary>
    public static TlsSettings Off { get; } = new(false, "", "", "");
}
