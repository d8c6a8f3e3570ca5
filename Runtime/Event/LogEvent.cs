namespace AkkaRlhf.Runtime.Event;

/// <summary>Log levels, lowest first.</summary>
public enum LogLevel
{
    /// <summary>Diagnostics.</summary>
    Debug,

    /// <summary>Normal operation.</summary>
    Info,

    /// <summary>Something unexpected but handled.</summary>
    Warning,

    /// <summary>A failure.</summary>
    Error,
}

/// <summary>A log entry published on the event stream (subscribe to <c>typeof(LogEvent)</c> or to one level's type).</summary>
public abstract record LogEvent(string LogSource, Type LogClass, string Message, Exception? Cause) : INoSerializationVerificationNeeded
{
    /// <summary>The level.</summary>
    public abstract LogLevel Level { get; }

    /// <summary>When it was logged (UTC).</summary>
    public DateTime Timestamp { get; } = DateTime.UtcNow;

    /// <inheritdoc />
    /// <remarks>Sealed, so that the derived records do not synthesize their own member dump.</remarks>
    public sealed override string ToString() =>
        $"[{Level.ToString().ToUpperInvariant()}][{Timestamp:HH:mm:ss.fff}][{LogSource}] {Message}{(Cause is null ? "" : Environment.NewLine + Cause)}";
}

/// <summary>A debug entry.</summary>
public sealed record Debug(string LogSource, Type LogClass, string Message) : LogEvent(LogSource, LogClass, Message, null)
{
    /// <inheritdoc />
    public override LogLevel Level => LogLevel.Debug;
}

/// <summary>An info entry.</summary>
public sealed record Info(string LogSource, Type LogClass, string Message) : LogEvent(LogSource, LogClass, Message, null)
{
    /// <inheritdoc />
    public override LogLevel Level => LogLevel.Info;
}

/// <summary>A warning entry.</summary>
public sealed record Warning(string LogSource, Type LogClass, string Message) : LogEvent(LogSource, LogClass, Message, null)
{
    /// <inheritdoc />
    public override LogLevel Level => LogLevel.Warning;
}

/// <summary>An error entry.</summary>
public sealed record Error(string LogSource, Type LogClass, string Message, Exception? Cause) : LogEvent(LogSource, LogClass, Message, Cause)
{
    /// <inheritdoc />
    public override LogLevel Level => LogLevel.Error;
}
