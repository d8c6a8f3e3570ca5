using System.Diagnostics;
using System.Globalization;
using AkkaRlhf.Runtime;
using AkkaRlhf.TestKit.Internal;
using Xunit.Sdk;

namespace AkkaRlhf.TestKit;

/// <summary>
/// Expectations on the messages a test actor receives. The <c>...Async</c> methods are the real
/// implementation and never block a thread; the synchronous ones (<see cref="TestKitBase"/>'s other
/// partial file) block only the calling test thread. Timeouts are dilated by <see cref="TimeFactor"/>.
/// </summary>
public abstract partial class TestKitBase
{
    private readonly TestActorQueue _queue = new();
    private DateTime? _deadline;
    private static int s_testActorCount;

    /// <summary>Binds the kit to <paramref name="system"/> and creates its test actor under <c>/system</c>.</summary>
    private protected TestKitBase(ActorSystem system, string? testActorName = null)
    {
        Sys = system;
        TimeFactor = ReadTimeFactor(system.Settings.TestTimeFactor);
        var name = testActorName ?? "testActor" + Interlocked.Increment(ref s_testActorCount);
        TestActor = system.SystemActorOf(Props.CreateBy(() => new TestActor(_queue)), name);
        LastSender = system.DeadLetters;
    }

    /// <summary>The system under test.</summary>
    public ActorSystem Sys { get; }

    /// <summary>The actor whose received messages the expectations look at (the implicit sender in tests).</summary>
    public IActorRef TestActor { get; }

    /// <summary>The sender of the last message received through an expectation.</summary>
    public IActorRef LastSender { get; private set; }

    /// <summary>Timeouts are multiplied by this: AKKA_TEST_TIMEFACTOR if set, else the settings' TestTimeFactor.</summary>
    public double TimeFactor { get; }

    /// <summary>The default single-expect timeout: 3 s, dilated.</summary>
    public TimeSpan DefaultTimeout => Dilated(TimeSpan.FromSeconds(3));

    /// <summary>The default ExpectNoMsg duration: 100 ms, dilated.</summary>
    public TimeSpan DefaultNoMessageDuration => Dilated(TimeSpan.FromMilliseconds(100));

    /// <summary>Time left in the enclosing <c>Within</c>, else <see cref="DefaultTimeout"/>.</summary>
    public TimeSpan RemainingOrDefault => _deadline is { } end ? Max(end - DateTime.UtcNow, TimeSpan.Zero) : DefaultTimeout;

    /// <summary><paramref name="duration"/> times <see cref="TimeFactor"/>.</summary>
    public TimeSpan Dilated(TimeSpan duration) =>
        duration == Timeout.InfiniteTimeSpan ? duration : TimeSpan.FromTicks((long)(duration.Ticks * TimeFactor));

    /// <summary>Creates a probe: another test actor with its own expectations.</summary>
    public TestProbe CreateTestProbe(string? name = null) => new(Sys, name);

    /// <summary>Drops messages matching <paramref name="shouldIgnore"/> before they reach the queue.</summary>
    public void IgnoreMessages(Func<object, bool> shouldIgnore) => _queue.Ignore = shouldIgnore;

    /// <summary>Drops messages of type <typeparamref name="T"/> (matching <paramref name="shouldIgnore"/>).</summary>
    public void IgnoreMessages<T>(Func<T, bool>? shouldIgnore = null) =>
        _queue.Ignore = m => m is T t && (shouldIgnore is null || shouldIgnore(t));

    /// <summary>Stops ignoring messages.</summary>
    public void IgnoreNoMessages() => _queue.Ignore = null;

    /// <summary>The next message, or null after <paramref name="timeout"/>.</summary>
    public async Task<object?> ReceiveOneAsync(TimeSpan? timeout = null)
    {
        var received = await _queue.TakeAsync(timeout ?? RemainingOrDefault).ConfigureAwait(false);
        if (received is not { } r) return null;
        LastSender = r.Sender;
        return r.Message;
    }

    /// <summary>Expects a message of type <typeparamref name="T"/>.</summary>
    public Task<T> ExpectMsgAsync<T>(TimeSpan? timeout = null) => ExpectMsgAsync<T>(_ => true, "any", timeout);

    /// <summary>Expects a message of type <typeparamref name="T"/> equal to <paramref name="expected"/>.</summary>
    public Task<T> ExpectMsgAsync<T>(T expected, TimeSpan? timeout = null) =>
        ExpectMsgAsync<T>(m => Equals(m, expected), $"equal to {expected}", timeout);

    /// <summary>Expects a message of type <typeparamref name="T"/> matching <paramref name="isMessage"/>.</summary>
    public Task<T> ExpectMsgAsync<T>(Predicate<T> isMessage, TimeSpan? timeout = null) =>
        ExpectMsgAsync(isMessage, "matching the predicate", timeout);

    /// <summary>Expects a message of type <typeparamref name="T"/> and runs <paramref name="assertion"/> on it.</summary>
    public Task<T> ExpectMsgAsync<T>(Action<T> assertion, TimeSpan? timeout = null) =>
        ExpectMsgAsync<T>(m => { assertion(m); return true; }, "passing the assertion", timeout);

    private async Task<T> ExpectMsgAsync<T>(Predicate<T> isMessage, string what, TimeSpan? timeout)
    {
        var limit = timeout ?? RemainingOrDefault;
        var message = await ReceiveOneAsync(limit).ConfigureAwait(false);
        if (message is null)
            throw new XunitException($"Timeout ({limit.TotalMilliseconds:0} ms) while waiting for a message of type {typeof(T).Name} {what}.");
        if (message is not T typed)
            throw new XunitException($"Expected a message of type {typeof(T).Name} {what}, but received {message.GetType().Name}: {message}.");
        if (!isMessage(typed))
            throw new XunitException($"Expected a message of type {typeof(T).Name} {what}, but received {message}.");
        return typed;
    }

    /// <summary>Fails if any message arrives within <paramref name="duration"/> (default <see cref="DefaultNoMessageDuration"/>).</summary>
    public async Task ExpectNoMsgAsync(TimeSpan? duration = null)
    {
        var message = await ReceiveOneAsync(duration ?? DefaultNoMessageDuration).ConfigureAwait(false);
        if (message is not null) throw new XunitException($"Expected no message, but received {message.GetType().Name}: {message}.");
    }

    /// <summary>Expects <see cref="Terminated"/> for <paramref name="target"/> (watch it first with <see cref="Watch"/>).</summary>
    public Task<Terminated> ExpectTerminatedAsync(IActorRef target, TimeSpan? timeout = null) =>
        ExpectMsgAsync<Terminated>(t => t.ActorRef.Equals(target), $"for {target.Path}", timeout);

    /// <summary>Receives exactly <paramref name="count"/> messages, within <paramref name="timeout"/> in total.</summary>
    public async Task<IReadOnlyList<object>> ReceiveNAsync(int count, TimeSpan? timeout = null)
    {
        var limit = timeout ?? RemainingOrDefault;
        var clock = Stopwatch.StartNew();
        var messages = new List<object>(count);
        while (messages.Count < count)
        {
            var message = await ReceiveOneAsync(Max(limit - clock.Elapsed, TimeSpan.Zero)).ConfigureAwait(false)
                ?? throw new XunitException($"Timeout ({limit.TotalMilliseconds:0} ms) after {messages.Count} of {count} messages.");
            messages.Add(message);
        }
        return messages;
    }

    /// <summary>Skips messages until one matches <paramref name="isMessage"/> and returns it.</summary>
    public async Task<object> FishForMessageAsync(Predicate<object> isMessage, TimeSpan? timeout = null)
    {
        var limit = timeout ?? RemainingOrDefault;
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var message = await ReceiveOneAsync(Max(limit - clock.Elapsed, TimeSpan.Zero)).ConfigureAwait(false)
                ?? throw new XunitException($"Timeout ({limit.TotalMilliseconds:0} ms) while fishing for a matching message.");
            if (isMessage(message)) return message;
        }
    }

    /// <summary>Skips messages until one of type <typeparamref name="T"/> matches <paramref name="isMessage"/>.</summary>
    public async Task<T> FishForMessageAsync<T>(Predicate<T>? isMessage = null, TimeSpan? timeout = null) =>
        (T)await FishForMessageAsync(m => m is T t && (isMessage is null || isMessage(t)), timeout).ConfigureAwait(false);

    /// <summary>
    /// Runs <paramref name="action"/> and checks it took between <paramref name="min"/> and <paramref name="max"/>
    /// (dilated); expectations inside default to the time remaining.
    /// </summary>
    public async Task<T> WithinAsync<T>(TimeSpan min, TimeSpan max, Func<Task<T>> action)
    {
        var dilatedMax = Dilated(max);
        var clock = Stopwatch.StartNew();
        var outer = _deadline;
        var deadline = DateTime.UtcNow + dilatedMax;
        _deadline = outer is { } o && o < deadline ? o : deadline;
        T result;
        try { result = await action().ConfigureAwait(false); }
        finally { _deadline = outer; }
        var elapsed = clock.Elapsed;
        if (elapsed < min) throw new XunitException($"Block took {elapsed.TotalMilliseconds:0} ms, less than the minimum {min.TotalMilliseconds:0} ms.");
        if (elapsed > dilatedMax) throw new XunitException($"Block took {elapsed.TotalMilliseconds:0} ms, more than the maximum {dilatedMax.TotalMilliseconds:0} ms.");
        return result;
    }

    /// <summary>Same as <see cref="WithinAsync{T}(TimeSpan, TimeSpan, Func{Task{T}})"/> without a result.</summary>
    public Task WithinAsync(TimeSpan min, TimeSpan max, Func<Task> action) =>
        WithinAsync(min, max, async () => { await action().ConfigureAwait(false); return true; });

    /// <summary>Same as <see cref="WithinAsync(TimeSpan, TimeSpan, Func{Task})"/> with no minimum.</summary>
    public Task WithinAsync(TimeSpan max, Func<Task> action) => WithinAsync(TimeSpan.Zero, max, action);

    /// <summary>Retries <paramref name="assertion"/> until it passes or <paramref name="duration"/> elapses (then rethrows).</summary>
    public async Task AwaitAssertAsync(Action assertion, TimeSpan? duration = null, TimeSpan? interval = null)
    {
        var limit = duration ?? RemainingOrDefault;
        var pause = interval ?? TimeSpan.FromMilliseconds(20);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                assertion();
                return;
            }
            catch (Exception) when (clock.Elapsed < limit)
            {
                await Task.Delay(pause).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Polls <paramref name="condition"/> until true; fails after <paramref name="max"/>.</summary>
    public async Task AwaitConditionAsync(Func<bool> condition, TimeSpan? max = null, TimeSpan? interval = null)
    {
        var limit = max ?? RemainingOrDefault;
        var pause = interval ?? TimeSpan.FromMilliseconds(20);
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > limit) throw new XunitException($"Condition not met within {limit.TotalMilliseconds:0} ms.");
            await Task.Delay(pause).ConfigureAwait(false);
        }
    }

    /// <summary>Makes the test actor watch <paramref name="subject"/> (returns once the watch is registered).</summary>
    public async Task<IActorRef> WatchAsync(IActorRef subject)
    {
        await TestActor.Ask<WatchAck>(new WatchCommand(subject, true), DefaultTimeout).ConfigureAwait(false);
        return subject;
    }

    /// <summary>Makes the test actor stop watching <paramref name="subject"/>.</summary>
    public async Task<IActorRef> UnwatchAsync(IActorRef subject)
    {
        await TestActor.Ask<WatchAck>(new WatchCommand(subject, false), DefaultTimeout).ConfigureAwait(false);
        return subject;
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private static double ReadTimeFactor(double configured)
    {
        var text = Environment.GetEnvironmentVariable("AKKA_TEST_TIMEFACTOR");
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var factor) && factor > 0 ? factor : configured;
    }
}
