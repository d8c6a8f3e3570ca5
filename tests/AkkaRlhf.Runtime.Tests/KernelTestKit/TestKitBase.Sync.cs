using AkkaRlhf.Runtime;

namespace AkkaRlhf.TestKit;

/// <summary>
/// Synchronous wrappers: each runs its async twin on the thread pool and blocks only the calling
/// test thread, so no synchronization context can deadlock it.
/// </summary>
public abstract partial class TestKitBase
{
    /// <summary>Runs <paramref name="action"/> off the caller's context and waits for it.</summary>
    protected static T Block<T>(Func<Task<T>> action) => Task.Run(action).GetAwaiter().GetResult();

    /// <summary>Runs <paramref name="action"/> off the caller's context and waits for it.</summary>
    protected static void Block(Func<Task> action) => Task.Run(action).GetAwaiter().GetResult();

    /// <inheritdoc cref="ReceiveOneAsync"/>
    public object? ReceiveOne(TimeSpan? timeout = null) => Block(() => ReceiveOneAsync(timeout));

    /// <inheritdoc cref="ExpectMsgAsync{T}(TimeSpan?)"/>
    public T ExpectMsg<T>(TimeSpan? timeout = null) => Block(() => ExpectMsgAsync<T>(timeout));

    /// <inheritdoc cref="ExpectMsgAsync{T}(T, TimeSpan?)"/>
    public T ExpectMsg<T>(T expected, TimeSpan? timeout = null) => Block(() => ExpectMsgAsync(expected, timeout));

    /// <inheritdoc cref="ExpectMsgAsync{T}(Predicate{T}, TimeSpan?)"/>
    public T ExpectMsg<T>(Predicate<T> isMessage, TimeSpan? timeout = null) => Block(() => ExpectMsgAsync(isMessage, timeout));

    /// <inheritdoc cref="ExpectMsgAsync{T}(Action{T}, TimeSpan?)"/>
    public T ExpectMsg<T>(Action<T> assertion, TimeSpan? timeout = null) => Block(() => ExpectMsgAsync(assertion, timeout));

    /// <inheritdoc cref="ExpectNoMsgAsync"/>
    public void ExpectNoMsg(TimeSpan? duration = null) => Block(() => ExpectNoMsgAsync(duration));

    /// <inheritdoc cref="ExpectTerminatedAsync"/>
    public Terminated ExpectTerminated(IActorRef target, TimeSpan? timeout = null) => Block(() => ExpectTerminatedAsync(target, timeout));

    /// <inheritdoc cref="ReceiveNAsync"/>
    public IReadOnlyList<object> ReceiveN(int count, TimeSpan? timeout = null) => Block(() => ReceiveNAsync(count, timeout));

    /// <inheritdoc cref="FishForMessageAsync(Predicate{object}, TimeSpan?)"/>
    public object FishForMessage(Predicate<object> isMessage, TimeSpan? timeout = null) => Block(() => FishForMessageAsync(isMessage, timeout));

    /// <inheritdoc cref="FishForMessageAsync{T}(Predicate{T}, TimeSpan?)"/>
    public T FishForMessage<T>(Predicate<T>? isMessage = null, TimeSpan? timeout = null) => Block(() => FishForMessageAsync(isMessage, timeout));

    /// <summary>Runs <paramref name="action"/> and checks its duration (see <see cref="WithinAsync{T}"/>).</summary>
    public void Within(TimeSpan min, TimeSpan max, Action action) =>
        Block(() => WithinAsync(min, max, () => { action(); return Task.CompletedTask; }));

    /// <summary>Runs <paramref name="action"/> and checks it took at most <paramref name="max"/>.</summary>
    public void Within(TimeSpan max, Action action) => Within(TimeSpan.Zero, max, action);

    /// <summary>Runs <paramref name="action"/> and checks its duration; returns its result.</summary>
    public T Within<T>(TimeSpan min, TimeSpan max, Func<T> action) => Block(() => WithinAsync(min, max, () => Task.FromResult(action())));

    /// <inheritdoc cref="AwaitAssertAsync"/>
    public void AwaitAssert(Action assertion, TimeSpan? duration = null, TimeSpan? interval = null) =>
        Block(() => AwaitAssertAsync(assertion, duration, interval));

    /// <inheritdoc cref="AwaitConditionAsync"/>
    public void AwaitCondition(Func<bool> condition, TimeSpan? max = null, TimeSpan? interval = null) =>
        Block(() => AwaitConditionAsync(condition, max, interval));

    /// <inheritdoc cref="WatchAsync"/>
    public IActorRef Watch(IActorRef subject) => Block(() => WatchAsync(subject));

    /// <inheritdoc cref="UnwatchAsync"/>
    public IActorRef Unwatch(IActorRef subject) => Block(() => UnwatchAsync(subject));
}
