using AkkaRlhf.Runtime;

namespace AkkaRlhf.Persistence;

/// <summary>A call was refused because its <see cref="CircuitBreaker"/> is open (the store failed repeatedly).</summary>
public sealed class OpenCircuitException(string message, TimeSpan remainingDuration) : AkkaException(message)
{
    /// <summary>Time until the breaker lets a trial call through.</summary>
    public TimeSpan RemainingDuration { get; } = remainingDuration;
}
