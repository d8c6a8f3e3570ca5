namespace AkkaRlhf.Persistence;

/// <summary>Where events and snapshots are stored (HOCON <c>akka.persistence.provider</c>).</summary>
public enum PersistenceProvider
{
    /// <summary>"sqlite": an embedded SQLite file (the configured default).</summary>
    Sqlite,

    /// <summary>"postgresql": a PostgreSQL server.</summary>
    PostgreSql,

    /// <summary>"inmem": process memory, lost at exit (tests).</summary>
    InMemory,
}
