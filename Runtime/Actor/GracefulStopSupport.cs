using AkkaRlhf.Runtime.Dispatch;

namespace AkkaRlhf.Runtime;

/// <summary>Stop an actor and wait until it has stopped.</summary>
public static class GracefulStopSupport
{
    /// <summary>
    /// Sends <paramref name="stopMessage"/> (default <see cref="PoisonPill"/>) and completes with true once
    /// the actor has stopped (its PostStop ran); throws <see cref="TaskCanceledException"/> after <paramref name="timeout"/>.
    /// </summary>
    public static async Task<bool> GracefulStop(this IActorRef target, TimeSpan timeout, object? stopMessage = null)
    {
        if (target is not InternalActorRef actor) throw new NotSupportedException("GracefulStop needs a kernel reference.");
        var watcher = new PromiseActorRef(actor.System, watchOnly: true);
        actor.SendSystemMessage(new Watch(actor, watcher));
        actor.Tell(stopMessage ?? PoisonPill.Instance, ActorRefs.NoSender);
        try
        {
            await watcher.Task.WaitAsync(timeout).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            actor.SendSystemMessage(new Unwatch(actor, watcher));
            throw new TaskCanceledException($"{target.Path} did not stop within {timeout.TotalMilliseconds} ms.");
        }
        finally { watcher.Release(); }
    }
}
