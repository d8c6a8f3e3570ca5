using AkkaRlhf.Actors.Messages;
using Akka.Actor;

namespace AkkaRlhf.Actors.Pipeline;

/// <summary>
/// Ask with retries: on a failure reply or a timeout the same message (same batch id) is sent again,
/// up to <c>attempts</c> times, after a failure reply once <c>backoff(attempt)</c> has passed (the failed role restarts
/// meanwhile). Receivers answer a repeated batch id from their cache, so a retry never does the work twice.
/// </summary>
public static class Retry
{
    public static async Task<T> AskWithRetry<T>(this IActorRef target, IBatchMessage message, int attempts, TimeSpan timeout,
        Action<int, Exception>? onRetry = null, StageFailure? fatal = null, Func<int, TimeSpan>? backoff = null)
    {
        for (var attempt = 1; ; attempt++)
        {
            TimeSpan wait;
            try { return await target.AskOrFail<T>(message, timeout, fatal); }
            catch (Exception e) when (attempt < attempts && e is not (InvalidCastException or RoleFailedException))
            {
                onRetry?.Invoke(attempt, e);
                wait = e is AskTimeoutException || backoff is null ? TimeSpan.Zero : backoff(attempt);   // a timeout has waited already
            }
            if (wait <= TimeSpan.Zero) continue;
            try { await Task.Delay(wait, fatal?.Token ?? CancellationToken.None); }
            catch (OperationCanceledException) when (fatal?.Cause is { } cause) { throw new RoleFailedException(cause); }   // no waiting out the backoff
        }
    }

    /// <summary>
    /// Ask that also ends when <paramref name="fatal"/> fails (a role of the stage failed for good, see
    /// <see cref="RoleSupervisor"/>): the caller gets that cause at once instead of waiting for the timeout. The ask is
    /// cancelled through its token, so its answer reaches the caller in one hop (no second task to wait on).
    /// </summary>
    public static async Task<T> AskOrFail<T>(this IActorRef target, object message, TimeSpan timeout, StageFailure? fatal = null)
    {
        if (fatal is null) return await target.Ask<T>(message, timeout);
        if (fatal.Cause is { } cause) throw new RoleFailedException(cause);
        try { return await target.Ask<T>(message, timeout, fatal.Token); }
        catch (Exception) when (fatal.Cause is { } failed) { throw new RoleFailedException(failed); }   // cancelled, or any end once the stage failed: not retried
    }
}

/// <summary>A role of the stage failed for good (it could not be created, or kept failing): the stage stops with the cause.</summary>
public sealed class RoleFailedException(Exception cause) : Exception(cause.Message, cause);
