namespace AkkaRlhf.Persistence.Tests;

public sealed class CircuitBreakerSpec
{
    private long _now;

    private CircuitBreaker Breaker(int maxFailures = 2, int callTimeoutMs = 200) =>
        new("journal", maxFailures, TimeSpan.FromMilliseconds(callTimeoutMs), TimeSpan.FromSeconds(30), () => _now);

    private static Task<int> Fail(CancellationToken _) => Task.FromException<int>(new IOException("boom"));

    [Fact]
    public async Task CircuitBreaker_must_open_after_max_failures_and_then_fail_fast()
    {
        var breaker = Breaker();
        await Assert.ThrowsAsync<IOException>(() => breaker.CallAsync("Write", Fail));
        Assert.False(breaker.IsOpen);
        await Assert.ThrowsAsync<IOException>(() => breaker.CallAsync("Write", Fail));
        Assert.True(breaker.IsOpen);
        var calls = 0;
        var open = await Assert.ThrowsAsync<OpenCircuitException>(() => breaker.CallAsync("Write", _ => Task.FromResult(++calls)));
        Assert.Equal(0, calls);
        Assert.Contains("journal circuit breaker is open", open.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CircuitBreaker_must_count_only_consecutive_failures()
    {
        var breaker = Breaker();
        await Assert.ThrowsAsync<IOException>(() => breaker.CallAsync("Write", Fail));
        Assert.Equal(1, await breaker.CallAsync("Write", _ => Task.FromResult(1)));
        await Assert.ThrowsAsync<IOException>(() => breaker.CallAsync("Write", Fail));
        Assert.False(breaker.IsOpen);
    }

    [Fact]
    public async Task CircuitBreaker_must_let_one_trial_call_through_after_the_reset_timeout_and_close_on_success()
    {
        var breaker = Breaker(maxFailures: 1);
        await Assert.ThrowsAsync<IOException>(() => breaker.CallAsync("Write", Fail));
        _now += 30_000;
        Assert.Equal(7, await breaker.CallAsync("Write", _ => Task.FromResult(7)));
        Assert.False(breaker.IsOpen);
    }

    [Fact]
    public async Task CircuitBreaker_must_open_again_when_the_trial_call_fails()
    {
        var breaker = Breaker(maxFailures: 3);
        for (var i = 0; i < 3; i++) await Assert.ThrowsAsync<IOException>(() => breaker.CallAsync("Write", Fail));
        _now += 30_000;
        await Assert.ThrowsAsync<IOException>(() => breaker.CallAsync("Write", Fail));
        await Assert.ThrowsAsync<OpenCircuitException>(() => breaker.CallAsync("Write", _ => Task.FromResult(1)));
    }

    [Fact]
    public async Task CircuitBreaker_must_fail_a_call_that_exceeds_the_call_timeout_even_if_it_ignores_cancellation()
    {
        var breaker = Breaker(maxFailures: 1, callTimeoutMs: 100);
        var never = new TaskCompletionSource<int>();
        var timeout = await Assert.ThrowsAsync<TimeoutException>(() => breaker.CallAsync("ReplayMessages", _ => never.Task));
        Assert.Contains("ReplayMessages did not complete within 100 ms", timeout.Message, StringComparison.Ordinal);
        Assert.True(breaker.IsOpen);
    }

    [Fact]
    public async Task CircuitBreaker_must_count_a_call_that_throws_synchronously_as_a_failure()
    {
        var breaker = Breaker(maxFailures: 1);
        await Assert.ThrowsAsync<InvalidOperationException>(() => breaker.CallAsync<int>("Write", _ => throw new InvalidOperationException()));
        Assert.True(breaker.IsOpen);
    }
}
