using AkkaRlhf.Configuration;
using AkkaRlhf.Persistence.Runs;
using AkkaRlhf.Persistence.Tests.Support;
using Microsoft.Data.Sqlite;

namespace AkkaRlhf.Persistence.Tests;

public sealed class PersistenceSettingsSpecs
{
    [Fact]
    public void Settings_must_default_to_an_sqlite_file_with_a_snapshot_every_100_events_from_reference_conf()
    {
        var settings = Journals.Settings(sqlitePath: "runs/a/journal.db");
        Assert.Equal(PersistenceProvider.Sqlite, settings.Provider);
        Assert.Equal(100, settings.SnapshotEvery);
        var akka = settings.ToAkkaConfig();
        Assert.Equal("akka.persistence.journal.sql", akka.GetString("akka.persistence.journal.plugin"));
        Assert.Equal("SQLite.MS", akka.GetString("akka.persistence.journal.sql.provider-name"));
        Assert.Equal($"Data Source={Path.GetFullPath("runs/a/journal.db")}", akka.GetString("akka.persistence.snapshot-store.sql.connection-string"));
        Assert.Equal("run-journal", akka.GetString($"akka.actor.serialization-bindings.\"{typeof(IRunEvent).FullName}, AkkaRlhf.Persistence\""));
    }

    [Fact]
    public void Settings_must_read_postgresql_with_its_connection_string_quoted_for_akka()
    {
        var settings = Journals.Settings("""akka-rlhf.persistence { provider = postgresql, postgresql.connection-string = "Host=db;Database=a \"b\"", snapshot-every = 0 }""");
        Assert.Equal(PersistenceProvider.PostgreSql, settings.Provider);
        Assert.Equal(0, settings.SnapshotEvery);
        Assert.Equal("Host=db;Database=a \"b\"", settings.ToAkkaConfig().GetString("akka.persistence.journal.sql.connection-string"));
        Assert.Equal("PostgreSQL.15", settings.ToAkkaConfig().GetString("akka.persistence.query.journal.sql.provider-name"));
    }

    [Fact]
    public void Settings_must_take_the_PostgreSQL_connection_string_from_the_environment()
    {
        var config = ConfigurationFactory.ParseString("akka-rlhf.persistence.provider = postgresql")
            .WithFallback(ConfigurationFactory.FromResource<PersistenceSettings>())
            .Resolve(name => name == "AKKA_RLHF_POSTGRES_CONNECTION" ? "Host=from-env" : null);
        Assert.Equal("Host=from-env", PersistenceSettings.Create(config).PostgreSqlConnectionString);
    }

    [Fact]
    public void Bad_settings_must_be_refused_with_the_key_and_what_is_allowed()
    {
        var provider = Assert.Throws<ConfigurationException>(() => Journals.Settings("akka-rlhf.persistence.provider = mongo"));
        Assert.Contains("akka-rlhf.persistence.provider = \"mongo\" must be sqlite, postgresql or inmem", provider.Message);
        var postgres = Assert.Throws<ConfigurationException>(() => Journals.Settings("akka-rlhf.persistence.provider = postgresql"));
        Assert.Contains("AKKA_RLHF_POSTGRES_CONNECTION", postgres.Message);
        var snapshots = Assert.Throws<ConfigurationException>(() => Journals.Settings("akka-rlhf.persistence.snapshot-every = -1"));
        Assert.Contains("snapshot-every must be >= 0", snapshots.Message);
    }

    [Fact]
    public void A_journal_of_the_previous_home_made_format_must_be_refused_with_a_message_that_says_so()
    {
        var path = Journals.NewSqlitePath();
        try
        {
            using (var connection = new SqliteConnection($"Data Source={path};Pooling=false"))
            {
                connection.Open();
                using var create = connection.CreateCommand();
                create.CommandText = "CREATE TABLE schema_version (version INTEGER NOT NULL PRIMARY KEY, description TEXT NOT NULL, applied_at BIGINT NOT NULL)";
                create.ExecuteNonQuery();
            }
            var e = Assert.Throws<RunJournalException>(() => LegacyJournal.Refuse(path));
            Assert.Contains("previous, home-made format", e.Message);
            LegacyJournal.Refuse(Journals.NewSqlitePath());                           // no file yet: a new journal, fine
            Assert.Throws<RunJournalException>(() => LegacyJournal.Prepare(path));
        }
        finally { Journals.DeleteSqlite(path); }
    }

    [Fact]
    public void A_new_sqlite_journal_must_be_created_in_wal_mode()
    {
        var path = Path.Combine(Path.GetTempPath(), $"akka-rlhf-{Guid.NewGuid():N}", "run", "journal.db");
        try
        {
            LegacyJournal.Prepare(path);
            using var connection = new SqliteConnection($"Data Source={path};Pooling=false");
            connection.Open();
            using var mode = connection.CreateCommand();
            mode.CommandText = "PRAGMA journal_mode";
            Assert.Equal("wal", mode.ExecuteScalar());
        }
        finally { Directory.Delete(Path.GetDirectoryName(Path.GetDirectoryName(path)!)!, recursive: true); }
    }
}
