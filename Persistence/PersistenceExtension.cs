using System.Runtime.CompilerServices;
using AkkaRlhf.Persistence.Memory;
using AkkaRlhf.Persistence.Sql;
using AkkaRlhf.Runtime;

namespace AkkaRlhf.Persistence;

/// <summary>
/// The journal and snapshot store of an actor system (Akka's <c>Persistence</c> extension). Configure it once at
/// start-up, before the first persistent actor starts, with <see cref="Configure(ActorSystem, PersistenceSettings)"/>
/// or <see cref="Configure(ActorSystem, IJournal, ISnapshotStore, PersistenceSettings?)"/>; unconfigured, <see cref="Get"/>
/// gives in-memory stores. Both stores sit behind a <see cref="CircuitBreaker"/> each (call timeout + fail-fast).
/// Stores that are <see cref="IAsyncDisposable"/> are disposed when the system terminates.
/// </summary>
public sealed class PersistenceExtension
{
    private static readonly ConditionalWeakTable<ActorSystem, PersistenceExtension> s_instances = [];

    private PersistenceExtension(ActorSystem system, IJournal journal, ISnapshotStore snapshotStore, PersistenceSettings settings, Func<ValueTask>? dispose)
    {
        Settings = settings;
        Journal = new GuardedJournal(journal, new CircuitBreaker("journal", settings.MaxFailures, settings.CallTimeout, settings.ResetTimeout));
        SnapshotStore = new GuardedSnapshotStore(snapshotStore,
            new CircuitBreaker("snapshot store", settings.MaxFailures, settings.CallTimeout, settings.ResetTimeout));
        if (dispose is not null)
            system.WhenTerminated.ContinueWith(async _ => await dispose().ConfigureAwait(false), TaskScheduler.Default);
    }

    /// <summary>The settings in use.</summary>
    public PersistenceSettings Settings { get; }

    /// <summary>The journal, guarded by its breaker.</summary>
    public GuardedJournal Journal { get; }

    /// <summary>The snapshot store, guarded by its breaker.</summary>
    public GuardedSnapshotStore SnapshotStore { get; }

    /// <summary>The extension of <paramref name="system"/>; in-memory stores if it was never configured.</summary>
    public static PersistenceExtension Get(ActorSystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        return s_instances.GetValue(system, s =>
        {
            s.Log.Warning("Persistence is not configured: using in-memory journal and snapshot store (nothing survives the process).");
            return new PersistenceExtension(s, new MemoryJournal(s.Serialization), new MemorySnapshotStore(s.Serialization), PersistenceSettings.Default, null);
        });
    }

    /// <summary>Creates the provider named by <paramref name="settings"/> (SQLite file, PostgreSQL server or memory).</summary>
    /// <exception cref="InvalidOperationException">Already configured or used, or PostgreSQL without a connection string.</exception>
    public static PersistenceExtension Configure(ActorSystem system, PersistenceSettings settings)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(settings);
        SqlDatabase? database = settings.Provider switch
        {
            PersistenceProvider.Sqlite => new SqliteDatabase(settings.Sqlite),
            PersistenceProvider.PostgreSql => new PostgreSqlDatabase(string.IsNullOrWhiteSpace(settings.PostgreSqlConnectionString)
                ? throw new InvalidOperationException(
                    "akka.persistence.provider is postgresql but no connection string is set: " +
                    "set akka.persistence.postgresql.connection-string or the variable AKKA_RLHF_POSTGRES_CONNECTION.")
                : settings.PostgreSqlConnectionString),
            _ => null,
        };
        return database is null
            ? Register(system, new MemoryJournal(system.Serialization), new MemorySnapshotStore(system.Serialization), settings, null)
            : Register(system, new SqlJournal(database, system.Serialization), new SqlSnapshotStore(database, system.Serialization), settings,
                database.DisposeAsync);
    }

    /// <summary>Uses the given stores (tests, custom providers); they are disposed at termination when disposable.</summary>
    /// <exception cref="InvalidOperationException">Already configured or used.</exception>
    public static PersistenceExtension Configure(ActorSystem system, IJournal journal, ISnapshotStore snapshotStore, PersistenceSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(journal);
        ArgumentNullException.ThrowIfNull(snapshotStore);
        return Register(system, journal, snapshotStore, settings ?? PersistenceSettings.Default, async () =>
        {
            if (journal is IAsyncDisposable j) await j.DisposeAsync().ConfigureAwait(false);
            if (snapshotStore is IAsyncDisposable s && !ReferenceEquals(s, journal)) await s.DisposeAsync().ConfigureAwait(false);
        });
    }

    private static PersistenceExtension Register(ActorSystem system, IJournal journal, ISnapshotStore snapshotStore,
        PersistenceSettings settings, Func<ValueTask>? dispose)
    {
        var extension = new PersistenceExtension(system, journal, snapshotStore, settings, dispose);
        if (!s_instances.TryAdd(system, extension))
            throw new InvalidOperationException($"Persistence of {system} is already configured (or was used before Configure): configure it once, at start-up.");
        return extension;
    }
}
