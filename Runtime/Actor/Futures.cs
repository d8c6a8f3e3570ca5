using System.Runtime.ExceptionServices;

namespace AkkaRlhf.Runtime;

/// <summary>Request/response on top of Tell.</summary>
public static class Futures
{
    /// <summary>
    /// Sends <paramref name="message"/> with a temporary sender and awaits the first reply. Works with any
    /// reference that can be told: a local actor, a selection, or a transport's <see cref="IRemoteActorRef"/>
    /// (the reply comes back through the transport to the temporary reference, which is resolvable under
    /// <c>/temp</c> while the ask is pending). Times out
    /// after <paramref name="timeout"/> (default: the system's finite <c>AskTimeout</c>) with
    /// <see cref="AskTimeoutException"/>; a <see cref="Status.Failure"/> reply is thrown as its cause.
    /// </summary>
    public static async Task<T> Ask<T>(this ICanTell receiver, object message, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var result = await Ask(receiver, message, timeout, cancellationToken).ConfigureAwait(false);
        return result is T typed
            ? typed
            : throw new InvalidCastException($"Ask expected a reply of type {typeof(T).Name} but got {result.GetType().Name}: {result}.");
    }

    /// <summary>Untyped <see cref="Ask{T}"/>.</summary>
    public static async Task<object> Ask(this ICanTell receiver, object message, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(receiver);
        ArgumentNullException.ThrowIfNull(message);
        var system = SystemOf(receiver);
        var limit = timeout ?? system.Settings.AskTimeout;
        var promise = new PromiseActorRef(system);
        object result;
        try
        {
            receiver.Tell(message, promise);
            result = await promise.Task.WaitAsync(limit, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            var target = receiver is IActorRef r ? r.Path.ToString() : receiver.ToString();
            throw new AskTimeoutException(
                $"Ask timed out on [{target}] after [{limit.TotalMilliseconds} ms]. Message of type [{message.GetType().FullName}] got no reply.");
        }
        finally { promise.Release(); }
        if (result is Status.Failure failure) ExceptionDispatchInfo.Throw(failure.Cause);
        return result;
    }

    /// <summary>The local system whose temporary reference receives the reply.</summary>
    private static ActorSystem SystemOf(ICanTell receiver) => receiver switch
    {
        InternalActorRef r => r.System,
        ActorSelection s => s.System,
        IRemoteActorRef r => r.System,
        _ => ActorCell.Current?.System
            ?? (ImplicitSender.Current as InternalActorRef)?.System
            ?? throw new NotSupportedException(
                $"Ask cannot tell which actor system should receive the reply for a {receiver.GetType().Name}: " +
                "implement IRemoteActorRef on it, or ask from inside an actor."),
    };
}
