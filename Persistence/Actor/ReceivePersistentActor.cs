using AkkaRlhf.Runtime;

namespace AkkaRlhf.Persistence;

/// <summary>
/// A <see cref="PersistentActor"/> whose handlers are declared in the constructor, like a <c>ReceiveActor</c>:
/// <c>Recover&lt;T&gt;(...)</c> for recovery, <c>Command&lt;T&gt;(...)</c> for commands; the first matching handler wins.
/// </summary>
public abstract class ReceivePersistentActor : PersistentActor
{
    private readonly List<Receive> _recover = [];
    private readonly List<Receive> _commands = [];
    private List<Receive> _configuring;

    /// <summary>Starts collecting handlers.</summary>
    protected ReceivePersistentActor() => _configuring = _commands;

    /// <summary>Handles recovery messages of type <typeparamref name="T"/>: events, <see cref="SnapshotOffer"/>, <see cref="RecoveryCompleted"/>.</summary>
    protected void Recover<T>(Action<T> handler, Predicate<T>? shouldHandle = null) => Add(_recover, handler, shouldHandle);

    /// <summary>Handles any recovery message not handled before.</summary>
    protected void RecoverAny(Action<object> handler) => Add(_recover, handler, null);

    /// <summary>Handles commands of type <typeparamref name="T"/> (that pass <paramref name="shouldHandle"/>).</summary>
    protected void Command<T>(Action<T> handler, Predicate<T>? shouldHandle = null) => Add(_configuring, handler, shouldHandle);

    /// <summary>Handles commands of type <typeparamref name="T"/> that pass <paramref name="shouldHandle"/>.</summary>
    protected void Command<T>(Predicate<T> shouldHandle, Action<T> handler) => Add(_configuring, handler, shouldHandle);

    /// <summary>Handles any command not handled before.</summary>
    protected void CommandAny(Action<object> handler) => Add(_configuring, handler, null);

    /// <summary>Replaces the command handlers with those <paramref name="configure"/> declares (recovery handlers stay).</summary>
    protected void Become(Action configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var handlers = new List<Receive>();
        var previous = _configuring;
        _configuring = handlers;
        try { configure(); }
        finally { _configuring = previous; }
        Become(m => Match(handlers, m));
    }

    /// <inheritdoc />
    protected sealed override bool ReceiveRecover(object message) => Match(_recover, message);

    /// <inheritdoc />
    protected sealed override bool ReceiveCommand(object message) => Match(_commands, message);

    private static void Add<T>(List<Receive> target, Action<T> handler, Predicate<T>? shouldHandle)
    {
        ArgumentNullException.ThrowIfNull(handler);
        target.Add(m =>
        {
            if (m is not T t || (shouldHandle is not null && !shouldHandle(t))) return false;
            handler(t);
            return true;
        });
    }

    private static bool Match(List<Receive> handlers, object message)
    {
        foreach (var handler in handlers)
            if (handler(message)) return true;
        return false;
    }
}
