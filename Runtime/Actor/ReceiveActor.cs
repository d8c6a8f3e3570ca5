namespace AkkaRlhf.Runtime;

/// <summary>
/// An actor whose behavior is a list of typed handlers declared in its constructor
/// (<c>Receive&lt;T&gt;(...)</c>); the first matching handler wins.
/// </summary>
public abstract class ReceiveActor : ActorBase
{
    private readonly List<Receive> _initial = [];
    private List<Receive> _configuring;

    /// <summary>Starts collecting the initial handlers.</summary>
    protected ReceiveActor() => _configuring = _initial;

    /// <summary>Handles messages of type <typeparamref name="T"/> (that pass <paramref name="shouldHandle"/>).</summary>
    protected void Receive<T>(Action<T> handler, Predicate<T>? shouldHandle = null) =>
        _configuring.Add(m =>
        {
            if (m is not T t || (shouldHandle is not null && !shouldHandle(t))) return false;
            handler(t);
            return true;
        });

    /// <summary>Handles messages of type <typeparamref name="T"/> that pass <paramref name="shouldHandle"/>.</summary>
    protected void Receive<T>(Predicate<T> shouldHandle, Action<T> handler) => Receive(handler, shouldHandle);

    /// <summary>
    /// Handles messages of type <typeparamref name="T"/> asynchronously: the mailbox is suspended until
    /// the task completes, so the actor still processes one message at a time.
    /// </summary>
    protected void ReceiveAsync<T>(Func<T, Task> handler, Predicate<T>? shouldHandle = null) =>
        _configuring.Add(m =>
        {
            if (m is not T t || (shouldHandle is not null && !shouldHandle(t))) return false;
            RunTask(() => handler(t));
            return true;
        });

    /// <summary>Handles any message not handled by an earlier handler.</summary>
    protected void ReceiveAny(Action<object> handler) => _configuring.Add(m => { handler(m); return true; });

    /// <summary>Handles any message asynchronously (see <see cref="ReceiveAsync{T}"/>).</summary>
    protected void ReceiveAnyAsync(Func<object, Task> handler) => _configuring.Add(m => { RunTask(() => handler(m)); return true; });

    /// <summary>Replaces the behavior with the handlers <paramref name="configure"/> declares.</summary>
    protected void Become(Action configure) => Context.Become(Build(configure));

    /// <summary>Pushes the handlers <paramref name="configure"/> declares; <see cref="UnbecomeStacked"/> returns.</summary>
    protected void BecomeStacked(Action configure) => Context.BecomeStacked(Build(configure));

    /// <summary>Returns to the previous behavior.</summary>
    protected void UnbecomeStacked() => Context.UnbecomeStacked();

    /// <summary>Same as <see cref="UnbecomeStacked"/>.</summary>
    protected void Unbecome() => Context.UnbecomeStacked();

    /// <inheritdoc />
    protected internal sealed override bool Receive(object message) => Match(_initial, message);

    private Receive Build(Action configure)
    {
        var handlers = new List<Receive>();
        var previous = _configuring;
        _configuring = handlers;
        try { configure(); }
        finally { _configuring = previous; }
        return m => Match(handlers, m);
    }

    private static bool Match(List<Receive> handlers, object message)
    {
        foreach (var handler in handlers)
            if (handler(message)) return true;
        return false;
    }
}
