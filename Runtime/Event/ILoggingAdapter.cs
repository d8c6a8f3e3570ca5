namespace AkkaRlhf.Runtime.Event;

/// <summary>Publishes log entries on the event stream; entries below the system's log level are skipped.</summary>
public interface ILoggingAdapter
{
    /// <summary>True if entries of <paramref name="level"/> are published.</summary>
    bool IsEnabled(LogLevel level);

    /// <summary>Logs at debug level.</summary>
    void Debug(string message);

    /// <summary>Logs at info level.</summary>
    void Info(string message);

    /// <summary>Logs at warning level.</summary>
    void Warning(string message);

    /// <summary>Logs at error level.</summary>
    void Error(string message);

    /// <summary>Logs at error level with a cause.</summary>
    void Error(Exception cause, string message);
}

/// <summary>The event-stream logger behind <see cref="ILoggingAdapter"/>.</summary>
internal sealed class LoggingAdapter(EventStream stream, LogLevel minimum, string source, Type logClass) : ILoggingAdapter
{
    public bool IsEnabled(LogLevel level) => level >= minimum;

    public void Debug(string message) { if (IsEnabled(LogLevel.Debug)) stream.Publish(new Debug(source, logClass, message)); }

    public void Info(string message) { if (IsEnabled(LogLevel.Info)) stream.Publish(new Info(source, logClass, message)); }

    public void Warning(string message) { if (IsEnabled(LogLevel.Warning)) stream.Publish(new Warning(source, logClass, message)); }

    public void Error(string message) { if (IsEnabled(LogLevel.Error)) stream.Publish(new Error(source, logClass, message, null)); }

    public void Error(Exception cause, string message) { if (IsEnabled(LogLevel.Error)) stream.Publish(new Error(source, logClass, message, cause)); }
}
