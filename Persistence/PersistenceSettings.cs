using Akka.Configuration;
using AkkaRlhf.Persistence.Runs;
using RlhfConfig = AkkaRlhf.Configuration.Config;
using ConfigurationException = AkkaRlhf.Configuration.ConfigurationException;

namespace AkkaRlhf.Persistence;

/// <summary>Where the run journal lives.</summary>
public enum PersistenceProvider
{
    /// <summary>An SQLite file (Akka.Persistence.Sql, provider SQLite.MS): embedded, nothing to start.</summary>
    Sqlite,

    /// <summary>A PostgreSQL server (Akka.Persistence.Sql, provider PostgreSQL.15): a cluster's shared journal.</summary>
    PostgreSql,

    /// <summary>Akka's in-memory journal and snapshot store: lost at exit (tests).</summary>
    InMemory,
}

/// <summary>
/// The run journal's settings (<c>akka-rlhf.persistence</c>, every key documented in this module's reference.conf),
/// immutable: <see cref="Create"/> reads them once, the constructor validates.
/// <see cref="ToAkkaConfig"/> turns them into the Akka.Persistence plugin configuration of an actor system.
/// </summary>
public sealed record PersistenceSettings
{
    /// <param name="provider">Where events and snapshots go.</param>
    /// <param name="sqlitePath">The SQLite file (provider sqlite).</param>
    /// <param name="postgreSqlConnectionString">The Npgsql connection string (provider postgresql).</param>
    /// <param name="snapshotEvery">A snapshot every this many events (0: none).</param>
    /// <exception cref="ConfigurationException">A value out of range, or PostgreSQL without a connection string.</exception>
    public PersistenceSettings(PersistenceProvider provider, string sqlitePath, string postgreSqlConnectionString, int snapshotEvery)
    {
        if (snapshotEvery < 0) throw new ConfigurationException($"akka-rlhf.persistence.snapshot-every must be >= 0, not {snapshotEvery}");
        if (provider == PersistenceProvider.PostgreSql && string.IsNullOrWhiteSpace(postgreSqlConnectionString))
            throw new ConfigurationException("akka-rlhf.persistence.provider is postgresql but no connection string is set: " +
                "set akka-rlhf.persistence.postgresql.connection-string or the variable AKKA_RLHF_POSTGRES_CONNECTION");
        Provider = provider;
        SqlitePath = sqlitePath;
        PostgreSqlConnectionString = postgreSqlConnectionString;
        SnapshotEvery = snapshotEvery;
    }

    /// <summary>The provider (<c>provider</c>).</summary>
    public PersistenceProvider Provider { get; init; }

    /// <summary>The SQLite file (set per run folder by the host: <c>RUN/journal.db</c>).</summary>
    public string SqlitePath { get; init; }

    /// <summary>The Npgsql connection string (<c>postgresql.connection-string</c>, or AKKA_RLHF_POSTGRES_CONNECTION).</summary>
    public string PostgreSqlConnectionString { get; init; }

    /// <summary>A snapshot of the run state every this many events (<c>snapshot-every</c>).</summary>
    public int SnapshotEvery { get; init; }

    /// <summary>Reads <c>akka-rlhf.persistence</c> of <paramref name="config"/> (which carries this module's reference.conf).</summary>
    /// <exception cref="ConfigurationException">A key is missing or has a wrong value (the message names it).</exception>
    public static PersistenceSettings Create(RlhfConfig config, string sqlitePath = "journal.db")
    {
        var c = config.GetConfig("akka-rlhf.persistence");
        var provider = c.GetString("provider").Trim().ToLowerInvariant() switch
        {
            "sqlite" => PersistenceProvider.Sqlite,
            "postgresql" => PersistenceProvider.PostgreSql,
            "inmem" => PersistenceProvider.InMemory,
            var other => throw new ConfigurationException(
                $"{c.GetValue("provider")?.Origin}: akka-rlhf.persistence.provider = \"{other}\" must be sqlite, postgresql or inmem",
                c.GetValue("provider")?.Origin, "akka-rlhf.persistence.provider"),
        };
        return new PersistenceSettings(provider, sqlitePath, c.GetString("postgresql.connection-string"), c.GetInt("snapshot-every"));
    }

    /// <summary>
    /// The Akka configuration of this journal: the Akka.Persistence.Sql journal, snapshot store and read journal (tables created
    /// on first use) or Akka's in-memory stores, and the run events' serializer. A fallback of the system's own configuration.
    /// </summary>
    public Config ToAkkaConfig()
    {
        var serialization = RunJournal.AkkaConfig;
        if (Provider == PersistenceProvider.InMemory)
            return ConfigurationFactory.ParseString("""
                akka.persistence.journal.plugin = "akka.persistence.journal.inmem"
                akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.inmem"
                """).WithFallback(serialization);
        var (connection, providerName) = Provider == PersistenceProvider.Sqlite
            ? ($"Data Source={Path.GetFullPath(SqlitePath)}", "SQLite.MS")
            : (PostgreSqlConnectionString, "PostgreSQL.15");
        var plugin = $"""
            connection-string = {Quote(connection)}
            provider-name = "{providerName}"
            auto-initialize = on
            """;
        return ConfigurationFactory.ParseString($$"""
            akka.persistence {
              journal.plugin = "akka.persistence.journal.sql"
              journal.sql { class = "Akka.Persistence.Sql.Journal.SqlWriteJournal, Akka.Persistence.Sql"
            {{plugin}} }
              snapshot-store.plugin = "akka.persistence.snapshot-store.sql"
              snapshot-store.sql { class = "Akka.Persistence.Sql.Snapshot.SqlSnapshotStore, Akka.Persistence.Sql"
            {{plugin}} }
              query.journal.sql { class = "Akka.Persistence.Sql.Query.SqlReadJournalProvider, Akka.Persistence.Sql"
            {{plugin}} }
            }
            """).WithFallback(serialization);
    }

    /// <summary>A HOCON quoted string (the connection string may hold any character).</summary>
    private static string Quote(string value) => System.Text.Json.JsonSerializer.Serialize(value);
}
