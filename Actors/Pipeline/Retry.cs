using AkkaRlhf.Actors.Messages;
using AkkaRlhf.Runtime;

namespace AkkaRlhf.Actors.Pipeline;

/// <summary>
/// Ask with retries: on a failure reply or a timeout the same message (same batch id) is sent again,
/// up to <c>attempts</c> times. Receivers answer a repeated batch id from their cache, so a retry
/// never does the work twice.
/// </summary>
public static class Retry
{
    public static async Task<T> AskWithRetry<T>(this IActorRef target, IBatchMessage message, int attempts, TimeSpan timeout,
        Action<int, Exception>? onRetry = null)
    {
        for (var attempt = 1; ; attempt++)
        {
            try { return await target.Ask<T>(message, timeout); }
            catch (Exception e) when (attempt < attempts && e is not InvalidCastException)
            {
                onRetry?.Invoke(attempt, e);
            }
        }
    }
}
