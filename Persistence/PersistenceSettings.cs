using AkkaRlhf.Configuration;
using AkkaRlhf.Persistence.Sql;

namespace AkkaRlhf.Persistence;

/// <summary>
/// Persistence settings, immutable. <see cref="FromConfig"/> reads them from HOCON under <c>akka.persistence</c>
/// (the module's reference.conf documents every key); <see cref="Default"/> is the in-memory provider with the
/// same timeouts, for code that configures nothing.
/// </summary>
public sealed record PersistenceSettings
{
    /// <summary>In-memory stores, 10 s call timeout, breaker 5 failures / 30 s.</summary>
    public static PersistenceSettings Default { get; } = new();

    /// <summary>The provider (<c>provider</c>).</summary>
    public PersistenceProvider Provider { get; init; } = PersistenceProvider.InMemory;

    /// <summary>Every journal/snapshot call completes or fails within this (<c>call-timeout</c>). Default 10 s.</summary>
    public TimeSpan CallTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Events per replay query during recovery (<c>replay-batch-size</c>). Default 10000.</summary>
    public int ReplayBatchSize { get; init; } = 10_000;

    /// <summary>Consecutive failures that open a store's breaker (<c>circuit-breaker.max-failures</c>). Default 5.</summary>
    public int MaxFailures { get; init; } = 5;

    /// <summary>How long an open breaker fails fast (<c>circuit-breaker.reset-timeout</c>). Default 30 s.</summary>
    public TimeSpan ResetTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The SQLite options (<c>sqlite.*</c>), used when <see cref="Provider"/> is SQLite.</summary>
    public SqliteOptions Sqlite { get; init; } = new("akka-rlhf.db");

    /// <summary>The Npgsql connection string (<c>postgresql.connection-string</c>, or the variable AKKA_RLHF_POSTGRES_CONNECTION).</summary>
    public string PostgreSqlConnectionString { get; init; } = "";

    /// <summary>Reads <c>akka.persistence</c> from <paramref name="config"/>, with this module's reference.conf underneath.</summary>
    /// <exception cref="ConfigurationException">A key has a wrong value.</exception>
    public static PersistenceSettings FromConfig(Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var c = config.WithFallback(Reference).GetConfig("akka.persistence");
        var provider = c.GetString("provider").Trim().ToLowerInvariant() switch
        {
            "sqlite" => PersistenceProvider.Sqlite,
            "postgresql" or "postgres" => PersistenceProvider.PostgreSql,
            "inmem" or "memory" => PersistenceProvider.InMemory,
            var other => throw new ConfigurationException(
                $"akka.persistence.provider must be \"sqlite\", \"postgresql\" or \"inmem\", not \"{other}\""),
        };
        var synchronous = c.GetString("sqlite.synchronous").Trim().ToLowerInvariant();
        if (synchronous is not ("normal" or "full"))
            throw new ConfigurationException($"akka.persistence.sqlite.synchronous must be \"normal\" or \"full\", not \"{synchronous}\"");
        return new PersistenceSettings
        {
            Provider = provider,
            CallTimeout = Positive(c.GetTimeSpan("call-timeout"), "call-timeout"),
            ReplayBatchSize = c.GetInt("replay-batch-size") is > 0 and var size ? size
                : throw new ConfigurationException("akka.persistence.replay-batch-size must be positive"),
            MaxFailures = c.GetInt("circuit-breaker.max-failures") is > 0 and var failures ? failures
                : throw new ConfigurationException("akka.persistence.circuit-breaker.max-failures must be positive"),
            ResetTimeout = c.GetTimeSpan("circuit-breaker.reset-timeout"),
            Sqlite = new SqliteOptions(c.GetString("sqlite.path"))
            {
                BusyTimeout = c.GetTimeSpan("sqlite.busy-timeout"),
                SynchronousFull = synchronous == "full",
            },
            PostgreSqlConnectionString = c.GetString("postgresql.connection-string"),
        };
    }

    /// <summary>The module's embedded reference.conf.</summary>
    public static Config Reference => ConfigurationFactory.FromResource<PersistenceSettings>();

    private static TimeSpan Positive(TimeSpan value, string key) =>
        value > TimeSpan.Zero ? value : throw new ConfigurationException($"akka.persistence.{key} must be positive");
}
