using System.Collections.Concurrent;
using AkkaRlhf.Runtime;

namespace AkkaRlhf.Hosting.Host;

/// <summary>
/// Top-level actors by key, for the rest of the application (as Akka.Hosting's ActorRegistry): a
/// start-up action registers <c>registry.Register&lt;Learner&gt;(learner)</c>, a service asks
/// <c>registry.Get&lt;Learner&gt;()</c>. A key is any type, usually an empty marker class or the actor's class.
/// Thread-safe.
/// </summary>
public sealed class ActorRegistry
{
    private readonly ConcurrentDictionary<Type, TaskCompletionSource<IActorRef>> _entries = new();

    /// <summary>Registers <paramref name="actor"/> under <typeparamref name="TKey"/>.</summary>
    /// <exception cref="InvalidOperationException">The key is already registered and <paramref name="overwrite"/> is false.</exception>
    public void Register<TKey>(IActorRef actor, bool overwrite = false) => Register(typeof(TKey), actor, overwrite);

    /// <summary>Registers <paramref name="actor"/> under <paramref name="key"/>.</summary>
    /// <exception cref="InvalidOperationException">The key is already registered and <paramref name="overwrite"/> is false.</exception>
    public void Register(Type key, IActorRef actor, bool overwrite = false)
    {
        if (!TryRegister(key, actor, overwrite))
            throw new InvalidOperationException($"An actor is already registered under {key.Name}: {Get(key).Path}");
    }

    /// <summary>Registers <paramref name="actor"/> unless the key is taken (or replaces it when <paramref name="overwrite"/>); true when registered.</summary>
    public bool TryRegister(Type key, IActorRef actor, bool overwrite = false)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(actor);
        var entry = Entry(key);
        if (entry.TrySetResult(actor)) return true;
        if (!overwrite) return false;
        var replacement = new TaskCompletionSource<IActorRef>(TaskCreationOptions.RunContinuationsAsynchronously);
        replacement.SetResult(actor);
        _entries[key] = replacement;
        return true;
    }

    /// <summary>The actor registered under <typeparamref name="TKey"/>.</summary>
    /// <exception cref="KeyNotFoundException">Nothing is registered under that key.</exception>
    public IActorRef Get<TKey>() => Get(typeof(TKey));

    /// <summary>The actor registered under <paramref name="key"/>.</summary>
    /// <exception cref="KeyNotFoundException">Nothing is registered under that key.</exception>
    public IActorRef Get(Type key) =>
        TryGet(key, out var actor) ? actor : throw new KeyNotFoundException($"No actor is registered under {key.Name}.");

    /// <summary>The actor registered under <typeparamref name="TKey"/>, if any.</summary>
    public bool TryGet<TKey>(out IActorRef actor) => TryGet(typeof(TKey), out actor);

    /// <summary>The actor registered under <paramref name="key"/>, if any.</summary>
    public bool TryGet(Type key, out IActorRef actor)
    {
        actor = null!;
        if (!_entries.TryGetValue(key, out var entry) || !entry.Task.IsCompletedSuccessfully) return false;
        actor = entry.Task.Result;
        return true;
    }

    /// <summary>The actor under <typeparamref name="TKey"/>, waiting until a start-up action registers it.</summary>
    public Task<IActorRef> GetAsync<TKey>(CancellationToken cancellationToken = default) =>
        Entry(typeof(TKey)).Task.WaitAsync(cancellationToken);

    /// <summary>Every registered key and actor.</summary>
    public IReadOnlyDictionary<Type, IActorRef> Entries =>
        _entries.Where(e => e.Value.Task.IsCompletedSuccessfully).ToDictionary(e => e.Key, e => e.Value.Task.Result);

    private TaskCompletionSource<IActorRef> Entry(Type key) =>
        _entries.GetOrAdd(key, _ => new TaskCompletionSource<IActorRef>(TaskCreationOptions.RunContinuationsAsynchronously));
}
