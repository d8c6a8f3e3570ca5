using Microsoft.Data.Sqlite;

namespace AkkaRlhf.Persistence.Runs;

/// <summary>
/// The SQLite file of a run journal, before Akka.Persistence.Sql opens it. A new file is created in WAL mode (a setting
/// stored in the file: readers such as <c>runs list</c> never block the writer, and batched writes are about twice as fast
/// as with SQLite's default rollback journal). A file written by AkkaRlhf's first, home-made journal has a
/// <c>schema_version</c> table, which Akka.Persistence.Sql never creates: it is refused with a message that says so,
/// instead of failing on its foreign tables or mixing the two formats.
/// </summary>
public static class LegacyJournal
{
    /// <summary>Refuses a file of the previous format (<see cref="Refuse"/>); creates a missing one, with its folder, in WAL mode.</summary>
    public static void Prepare(string sqlitePath)
    {
        Refuse(sqlitePath);
        if (File.Exists(sqlitePath)) return;
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(sqlitePath))!);
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = sqlitePath, Pooling = false }.ToString());
        connection.Open();
        using var wal = connection.CreateCommand();
        wal.CommandText = "PRAGMA journal_mode = WAL";
        wal.ExecuteNonQuery();
    }

    /// <summary>Throws when <paramref name="sqlitePath"/> exists and holds the previous format; a new or Akka file passes.</summary>
    /// <exception cref="RunJournalException">The file was written by the previous, home-made journal.</exception>
    public static void Refuse(string sqlitePath)
    {
        if (!File.Exists(sqlitePath)) return;
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = sqlitePath, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = $name";
        command.Parameters.AddWithValue("$name", "schema_version");
        if (Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) > 0)
            throw new RunJournalException($"{sqlitePath} is a run journal of AkkaRlhf's previous, home-made format, which this version does not read " +
                "(the journal is Akka.Persistence.Sql now): start a new run, or resume it with the version that wrote it");
    }
}
