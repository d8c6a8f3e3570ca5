namespace AkkaRlhf.Runtime;

/// <summary>
/// Where an actor system lives: <c>protocol://system@host:port</c>. A local system has no host
/// and no port (<c>akka://name</c>); a later transport gives remote systems a host and a port.
/// </summary>
/// <param name="Protocol">The protocol, <c>akka</c> for local systems.</param>
/// <param name="System">The actor system's name.</param>
/// <param name="Host">The host, or <c>null</c> for a local address.</param>
/// <param name="Port">The port, or <c>null</c> for a local address.</param>
public sealed record Address(string Protocol, string System, string? Host = null, int? Port = null)
{
    /// <summary>The protocol of local systems.</summary>
    public const string LocalProtocol = "akka";

    /// <summary>True when the address names no host (an in-process system).</summary>
    public bool HasLocalScope => Host is null;

    /// <inheritdoc />
    public override string ToString() =>
        Host is null ? $"{Protocol}://{System}" : $"{Protocol}://{System}@{Host}:{Port}";

    /// <summary>Parses <c>protocol://system[@host:port]</c>.</summary>
    public static Address Parse(string text)
    {
        var sep = text.IndexOf("://", StringComparison.Ordinal);
        if (sep <= 0) throw new FormatException($"'{text}' is not an actor address (protocol://system[@host:port]).");
        var protocol = text[..sep];
        var rest = text[(sep + 3)..];
        var at = rest.IndexOf('@');
        if (at < 0) return new Address(protocol, rest);
        var hostPort = rest[(at + 1)..];
        var colon = hostPort.LastIndexOf(':');
        if (colon < 0 || !int.TryParse(hostPort[(colon + 1)..], out var port))
            throw new FormatException($"'{text}' has no valid port.");
        return new Address(protocol, rest[..at], hostPort[..colon], port);
    }
}
