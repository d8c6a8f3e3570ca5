using AkkaRlhf.Configuration;

namespace AkkaRlhf.Persistence.Tests;

public sealed class PersistenceSettingsSpec
{
    [Fact]
    public void Settings_must_default_to_sqlite_with_a_ten_second_call_timeout_from_reference_conf()
    {
        var settings = PersistenceSettings.FromConfig(ConfigurationFactory.Empty);
        Assert.Equal(PersistenceProvider.Sqlite, settings.Provider);
        Assert.Equal(TimeSpan.FromSeconds(10), settings.CallTimeout);
        Assert.Equal("akka-rlhf.db", settings.Sqlite.Path);
        Assert.Equal(TimeSpan.FromSeconds(5), settings.Sqlite.BusyTimeout);
        Assert.False(settings.Sqlite.SynchronousFull);
        Assert.Equal(5, settings.MaxFailures);
        Assert.Equal(TimeSpan.FromSeconds(30), settings.ResetTimeout);
        Assert.Equal(10_000, settings.ReplayBatchSize);
    }

    [Fact]
    public void Settings_must_read_overrides_from_config()
    {
        var settings = PersistenceSettings.FromConfig(ConfigurationFactory.ParseString("""
            akka.persistence {
              provider = postgresql
              call-timeout = 2s
              circuit-breaker { max-failures = 3, reset-timeout = 1m }
              sqlite { path = "runs/x.db", synchronous = full }
              postgresql.connection-string = "Host=db;Database=rlhf"
            }
            """));
        Assert.Equal(PersistenceProvider.PostgreSql, settings.Provider);
        Assert.Equal(TimeSpan.FromSeconds(2), settings.CallTimeout);
        Assert.Equal(3, settings.MaxFailures);
        Assert.Equal(TimeSpan.FromMinutes(1), settings.ResetTimeout);
        Assert.Equal("runs/x.db", settings.Sqlite.Path);
        Assert.True(settings.Sqlite.SynchronousFull);
        Assert.Equal("Host=db;Database=rlhf", settings.PostgreSqlConnectionString);
    }

    [Fact]
    public void Settings_must_take_the_PostgreSQL_connection_string_from_the_environment()
    {
        Environment.SetEnvironmentVariable("AKKA_RLHF_POSTGRES_CONNECTION", "Host=from-env");
        try
        {
            Assert.Equal("Host=from-env", PersistenceSettings.FromConfig(ConfigurationFactory.Empty).PostgreSqlConnectionString);
        }
        finally { Environment.SetEnvironmentVariable("AKKA_RLHF_POSTGRES_CONNECTION", null); }
    }

    [Fact]
    public void Settings_must_reject_an_unknown_provider_with_a_clear_error()
    {
        var error = Assert.Throws<ConfigurationException>(() =>
            PersistenceSettings.FromConfig(ConfigurationFactory.ParseString("akka.persistence.provider = mongo")));
        Assert.Contains("\"mongo\"", error.Message, StringComparison.Ordinal);
    }
}
