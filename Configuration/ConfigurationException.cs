namespace AkkaRlhf.Configuration;

/// <summary>
/// Raised for every configuration problem: syntax errors, unresolvable substitutions,
/// unsupported includes, missing paths and values of the wrong type.
/// The message names the file (origin), line and column whenever they are known.
/// </summary>
public sealed class ConfigurationException : Exception
{
    /// <summary>Creates an exception with a complete message.</summary>
    public ConfigurationException(string message, HoconOrigin? origin = null, string? path = null, Exception? inner = null)
        : base(message, inner)
    {
        Origin = origin;
        Path = path;
    }

    /// <summary>Where the offending text or value was written, when known.</summary>
    public HoconOrigin? Origin { get; }

    /// <summary>The configuration path involved, when there is one.</summary>
    public string? Path { get; }

    /// <summary>An error located in the source text: "file:line:column: message".</summary>
    internal static ConfigurationException At(HoconOrigin origin, string message) =>
        new($"{origin}: {message}", origin);
}
