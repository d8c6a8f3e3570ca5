using Akka.Configuration;
using AkkaRlhf.Persistence.Runs;
using RlhfConfiguration = AkkaRlhf.Configuration.ConfigurationFactory;

namespace AkkaRlhf.Persistence.Tests.Support;

/// <summary>Journal configurations of the specs: a temporary SQLite file, a PostgreSQL database, the settings from reference.conf.</summary>
internal static class Journals
{
    /// <summary>The module's settings as a user would get them (its reference.conf under <paramref name="hocon"/>).</summary>
    public static PersistenceSettings Settings(string hocon = "", string sqlitePath = "journal.db") =>
        PersistenceSettings.Create(RlhfConfiguration.ParseString(hocon)
            .WithFallback(RlhfConfiguration.FromResource<PersistenceSettings>()).Resolve(), sqlitePath);

    public static string NewSqlitePath() => Path.Combine(Path.GetTempPath(), $"akka-rlhf-journal-{Guid.NewGuid():N}.db");

    public static void DeleteSqlite(string path)
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var file in new[] { path, path + "-wal", path + "-shm" })
            if (File.Exists(file)) File.Delete(file);
    }

    /// <summary>An actor-system configuration with the journal of <paramref name="settings"/> and quiet logs.</summary>
    public static Config AkkaConfig(PersistenceSettings settings) =>
        ConfigurationFactory.ParseString("akka.loglevel = WARNING\nakka.stdout-loglevel = WARNING").WithFallback(settings.ToAkkaConfig());

    /// <summary>Akka.Persistence.TestKit's fault-injecting journal (and its snapshot store) in front of an in-memory store.</summary>
    public static Config TestJournal { get; } = ConfigurationFactory.ParseString("""
        akka.loglevel = WARNING
        akka.persistence.journal.plugin = "akka.persistence.journal.test"
        akka.persistence.journal.test.class = "Akka.Persistence.TestKit.TestJournal, Akka.Persistence.TestKit"
        akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.test"
        akka.persistence.snapshot-store.test.class = "Akka.Persistence.TestKit.TestSnapshotStore, Akka.Persistence.TestKit"
        """).WithFallback(RunJournal.AkkaConfig);
}
