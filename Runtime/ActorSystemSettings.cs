using AkkaRlhf.Configuration;
using AkkaRlhf.Runtime.Event;

namespace AkkaRlhf.Runtime;

/// <summary>
/// The kernel's settings, immutable; derive variants with the <c>With*</c> methods (or <c>with</c>).
/// <see cref="FromConfig"/> reads them from HOCON (defaults in hocon/reference.conf), under these keys:
/// <list type="bullet">
/// <item><c>akka.actor.ask-timeout</c> → <see cref="AskTimeout"/></item>
/// <item><c>akka.actor.default-dispatcher.throughput</c> → <see cref="Throughput"/></item>
/// <item><c>akka.actor.serialize-messages</c> → <see cref="SerializeMessages"/></item>
/// <item><c>akka.test.timefactor</c> → <see cref="TestTimeFactor"/></item>
/// <item><c>akka.log-dead-letters</c> → <see cref="LogDeadLetters"/> (on = 10, off = 0, or a number)</item>
/// <item><c>akka.loglevel</c> → <see cref="LogLevel"/></item>
/// <item><c>akka.stdout-loglevel</c> (OFF disables) → <see cref="StdoutLogging"/></item>
/// </list>
/// </summary>
public sealed record ActorSystemSettings
{
    /// <summary>The defaults listed on each property.</summary>
    public static ActorSystemSettings Default { get; } = new();

    /// <summary>Default timeout of <c>Ask</c> when none is given. Default 10 s (finite on purpose: no silent hangs).</summary>
    public TimeSpan AskTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Most user messages an actor processes per turn before yielding its thread. Default 30.</summary>
    public int Throughput { get; init; } = 30;

    /// <summary>Round-trip every told message through the serializer (test mode). Default off.</summary>
    public bool SerializeMessages { get; init; }

    /// <summary>Factor the TestKit multiplies its timeouts by (slow machines). Default 1.0.</summary>
    public double TestTimeFactor { get; init; } = 1.0;

    /// <summary>How many dead letters to log (0 = none); they are always published on the event stream. Default 10.</summary>
    public int LogDeadLetters { get; init; } = 10;

    /// <summary>Lowest level that is published on the event stream. Default Info.</summary>
    public LogLevel LogLevel { get; init; } = LogLevel.Info;

    /// <summary>Print log events to standard output. Default on.</summary>
    public bool StdoutLogging { get; init; } = true;

    /// <summary>The runtime's embedded reference.conf (hocon/reference.conf): every key with its default.</summary>
    public static Config Reference => ConfigurationFactory.FromResource(typeof(ActorSystemSettings).Assembly);

    /// <summary>Settings read from <paramref name="config"/>, falling back to the runtime's reference.conf.</summary>
    /// <exception cref="ConfigurationException">A key has the wrong type; the message names file, line and column.</exception>
    public static ActorSystemSettings FromConfig(Config config)
    {
        var c = config.WithFallback(Reference);
        var stdout = c.GetString("akka.stdout-loglevel");
        return new ActorSystemSettings()
            .WithAskTimeout(c.GetTimeSpan("akka.actor.ask-timeout"))
            .WithThroughput(c.GetInt("akka.actor.default-dispatcher.throughput"))
            .WithSerializeMessages(c.GetBoolean("akka.actor.serialize-messages"))
            .WithTestTimeFactor(c.GetDouble("akka.test.timefactor"))
            .WithLogDeadLetters(DeadLetterCount(c))
            .WithLogLevel(ParseLevel(c.GetString("akka.loglevel"), "akka.loglevel"))
            .WithStdoutLogging(!string.Equals(stdout, "OFF", StringComparison.OrdinalIgnoreCase));
    }

    private static int DeadLetterCount(Config c)
    {
        var raw = c.GetString("akka.log-dead-letters");
        return raw.ToLowerInvariant() switch
        {
            "on" or "true" or "yes" => 10,
            "off" or "false" or "no" => 0,
            _ => c.GetInt("akka.log-dead-letters"),
        };
    }

    private static LogLevel ParseLevel(string value, string path) => value.ToUpperInvariant() switch
    {
        "DEBUG" => LogLevel.Debug,
        "INFO" => LogLevel.Info,
        "WARNING" or "WARN" => LogLevel.Warning,
        "ERROR" => LogLevel.Error,
        _ => throw new ConfigurationException($"{path}: unknown log level \"{value}\" (DEBUG, INFO, WARNING or ERROR)"),
    };

    /// <summary>A copy with another ask timeout.</summary>
    public ActorSystemSettings WithAskTimeout(TimeSpan timeout) =>
        timeout > TimeSpan.Zero ? this with { AskTimeout = timeout } : throw new ArgumentOutOfRangeException(nameof(timeout));

    /// <summary>A copy with another throughput.</summary>
    public ActorSystemSettings WithThroughput(int throughput) =>
        throughput > 0 ? this with { Throughput = throughput } : throw new ArgumentOutOfRangeException(nameof(throughput));

    /// <summary>A copy with serialize-messages on or off.</summary>
    public ActorSystemSettings WithSerializeMessages(bool on) => this with { SerializeMessages = on };

    /// <summary>A copy with another test time factor.</summary>
    public ActorSystemSettings WithTestTimeFactor(double factor) =>
        factor > 0 ? this with { TestTimeFactor = factor } : throw new ArgumentOutOfRangeException(nameof(factor));

    /// <summary>A copy logging at most <paramref name="count"/> dead letters.</summary>
    public ActorSystemSettings WithLogDeadLetters(int count) => this with { LogDeadLetters = Math.Max(0, count) };

    /// <summary>A copy with another log level.</summary>
    public ActorSystemSettings WithLogLevel(LogLevel level) => this with { LogLevel = level };

    /// <summary>A copy with standard-output logging on or off.</summary>
    public ActorSystemSettings WithStdoutLogging(bool on) => this with { StdoutLogging = on };
}
