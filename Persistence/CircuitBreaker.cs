using System.Diagnostics;

namespace AkkaRlhf.Persistence;

/// <summary>
/// Akka's <c>CircuitBreaker</c>: a call that fails or exceeds <see cref="CallTimeout"/> counts as a failure;
/// after <see cref="MaxFailures"/> consecutive failures the breaker opens and calls fail at once with
/// <see cref="OpenCircuitException"/> for <see cref="ResetTimeout"/>; then one trial call is let through
/// (half-open): its success closes the breaker, its failure opens it again. Thread-safe.
/// </summary>
public sealed class CircuitBreaker
{
    private readonly Lock _lock = new();
    private readonly Func<long> _clock;
    private int _failures;
    private long _openedAt;
    private BreakerState _state = BreakerState.Closed;

    /// <summary>Creates a closed breaker.</summary>
    /// <param name="name">Names the guarded store in error messages ("journal", "snapshot store").</param>
    /// <param name="maxFailures">Consecutive failures that open it (at least 1).</param>
    /// <param name="callTimeout">The longest a call may take.</param>
    /// <param name="resetTimeout">How long it stays open before a trial call.</param>
    /// <param name="clock">Milliseconds of a monotonic clock (tests); <see cref="Stopwatch"/> by default.</param>
    public CircuitBreaker(string name, int maxFailures, TimeSpan callTimeout, TimeSpan resetTimeout, Func<long>? clock = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxFailures, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(callTimeout, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(resetTimeout, TimeSpan.Zero);
        Name = name;
        MaxFailures = maxFailures;
        CallTimeout = callTimeout;
        ResetTimeout = resetTimeout;
        _clock = clock ?? (() => Stopwatch.GetTimestamp() * 1000 / Stopwatch.Frequency);
    }

    /// <summary>What the breaker guards.</summary>
    public string Name { get; }

    /// <summary>Consecutive failures that open the breaker.</summary>
    public int MaxFailures { get; }

    /// <summary>The longest a call may take before it counts as failed.</summary>
    public TimeSpan CallTimeout { get; }

    /// <summary>How long the breaker stays open.</summary>
    public TimeSpan ResetTimeout { get; }

    /// <summary>True while calls fail fast.</summary>
    public bool IsOpen
    {
        get { lock (_lock) return _state == BreakerState.Open && !ResetDue(); }
    }

    /// <summary>Runs <paramref name="call"/> through the breaker; see the class summary.</summary>
    /// <exception cref="OpenCircuitException">The breaker is open.</exception>
    /// <exception cref="TimeoutException">The call took longer than <see cref="CallTimeout"/>.</exception>
    public async Task<T> CallAsync<T>(string operation, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken = default)
    {
        Admit(operation);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(CallTimeout);
        Task<T> task;
        try { task = call(timeout.Token); }
        catch (Exception e) { task = Task.FromException<T>(e); }
        try
        {
            var result = await task.WaitAsync(CallTimeout, cancellationToken).ConfigureAwait(false);
            Succeeded();
            return result;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            Failed();
            if (e is TimeoutException || (e is OperationCanceledException && timeout.IsCancellationRequested))
                throw new TimeoutException($"The {Name} call {operation} did not complete within {CallTimeout.TotalMilliseconds:0} ms.", e);
            throw;
        }
    }

    /// <summary>Runs a call without a result through the breaker.</summary>
    public Task CallAsync(string operation, Func<CancellationToken, Task> call, CancellationToken cancellationToken = default) =>
        CallAsync(operation, async ct => { await call(ct).ConfigureAwait(false); return true; }, cancellationToken);

    private void Admit(string operation)
    {
        lock (_lock)
        {
            switch (_state)
            {
                case BreakerState.Closed:
                    return;
                case BreakerState.Open when ResetDue():
                    _state = BreakerState.HalfOpen; // this call is the trial
                    return;
                default:
                    var left = TimeSpan.FromMilliseconds(Math.Max(0, _openedAt + (long)ResetTimeout.TotalMilliseconds - _clock()));
                    throw new OpenCircuitException(
                        $"The {Name} circuit breaker is open after {_failures} consecutive failures: {operation} fails fast " +
                        $"(next trial in {left.TotalSeconds:0.#} s).", left);
            }
        }
    }

    private bool ResetDue() => _clock() - _openedAt >= (long)ResetTimeout.TotalMilliseconds;

    private void Succeeded()
    {
        lock (_lock)
        {
            _failures = 0;
            _state = BreakerState.Closed;
        }
    }

    private void Failed()
    {
        lock (_lock)
        {
            _failures++;
            if (_state == BreakerState.HalfOpen || _failures >= MaxFailures)
            {
                _state = BreakerState.Open;
                _openedAt = _clock();
            }
        }
    }

    private enum BreakerState { Closed, Open, HalfOpen }
}
