using System.Data.Common;
using System.Globalization;
using System.Text.RegularExpressions;
using AkkaRlhf.Persistence;
using AkkaRlhf.Persistence.Bench;
using Microsoft.Data.Sqlite;
using Npgsql;

// The run journal (Akka.Persistence.Sql 1.5.73 on SQLite and PostgreSQL, configured by PersistenceSettings.ToAkkaConfig())
// beside raw ADO.NET on the same database: write throughput (Persist one event at a time, PersistAll of 100) and
// recovery of a persistent actor (every event, or a snapshot near the end); JournalBench says what each row measures.
// Run: dotnet run -c Release --project bench/Persistence [-- [--quick] [--sqlite-only | --postgres-only] [--set HOCON]...]
// (--set: Akka configuration over the journal's, e.g. --set akka.persistence.journal.sql.replay-batch-size=10000)
// Checkpoint save/load vs a plain file copy (Models Checkpoint, ~50 MB of parameters): -- --checkpoint
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
if (args.Contains("--checkpoint"))
{
    CheckpointBench.Run(repeats: 3);
    return;
}
var quick = args.Contains("--quick");
var events = quick ? 20_000 : 100_000;                 // PersistAll batches, then recovered
var unbatched = quick ? 300 : 1_000;                   // Persist one at a time: one commit (fsync) per event
var overrides = string.Join('\n', args.Zip(args.Skip(1)).Where(a => a.Item1 == "--set").Select(a => a.Item2));
var rows = new List<Row>();
var folder = Directory.CreateTempSubdirectory("akka-rlhf-bench-").FullName;
try
{
    // SQLite: a fresh file with the provider's defaults (rollback journal, synchronous=FULL: Akka.Persistence.Sql sets no
    // pragma, nor does the raw connection), then a file switched to WAL first (journal_mode is stored in the file).
    foreach (var wal in args.Contains("--postgres-only") ? [] : new[] { false, true })
    {
        var sqlite = new PersistenceSettings(PersistenceProvider.Sqlite, Path.Combine(folder, wal ? "wal.db" : "journal.db"), "", 0);
        var connectionString = $"Data Source={Path.GetFullPath(sqlite.SqlitePath)}";
        if (wal)
        {
            await using var connection = new SqliteConnection(connectionString);
            await connection.OpenAsync();
            await ExecuteAsync(connection, "PRAGMA journal_mode = WAL");
        }
        rows.AddRange(await new JournalBench(wal ? "SQLite, WAL" : "SQLite", sqlite, () => new SqliteConnection(connectionString), CopySqliteShapeAsync, overrides)
            .RunAsync(unbatched, events));
        SqliteConnection.ClearAllPools();
    }

    // PostgreSQL: a private server (initdb + pg_ctl, default durability: fsync and synchronous_commit on).
    if (!args.Contains("--sqlite-only"))
    {
        await using var server = await LocalPostgreSql.StartAsync();
        if (server is null) Console.WriteLine("PostgreSQL skipped: no /usr/lib/postgresql/*/bin/initdb");
        else
        {
            var postgres = new PersistenceSettings(PersistenceProvider.PostgreSql, "", server.ConnectionString, 0);
            rows.AddRange(await new JournalBench("PostgreSQL", postgres, () => new NpgsqlConnection(server.ConnectionString),
                raw => ExecuteAsync(raw, "CREATE TABLE raw_journal (LIKE journal INCLUDING ALL)"), overrides).RunAsync(unbatched, events));
        }
    }
}
finally
{
    SqliteConnection.ClearAllPools();
    Directory.Delete(folder, recursive: true);
}

Console.WriteLine($"Persistence bench ({Environment.ProcessorCount} cores, .NET {Environment.Version}, Akka.Persistence.Sql " +
                  $"{typeof(Akka.Persistence.Sql.Journal.SqlWriteJournal).Assembly.GetName().Version}; best of 3 rounds)");
if (overrides != "") Console.WriteLine($"Akka configuration overrides: {overrides.Replace('\n', ';')}");
Console.WriteLine("Ratio: Akka throughput / raw throughput, or raw time / Akka time (1.00x = as fast as raw ADO.NET).");
Console.WriteLine();
Console.WriteLine("| provider | benchmark | Akka.Persistence.Sql | raw ADO.NET | ratio | raw baseline is |");
Console.WriteLine("|---|---|---|---|---|---|");
foreach (var r in rows) Console.WriteLine($"| {r.Provider} | {r.Benchmark} | {r.Akka} | {r.Raw} | {r.Ratio} | {r.Baseline} |");
return;

// raw_journal: the journal table's own CREATE TABLE / CREATE INDEX statements with raw_ before the table's and indexes' names
// (CREATE UNIQUE INDEX journal_uq ON journal (...) -> CREATE UNIQUE INDEX raw_journal_uq ON raw_journal (...)).
static async Task CopySqliteShapeAsync(DbConnection connection)
{
    var statements = new List<string>();
    await using (var command = connection.CreateCommand())
    {
        command.CommandText = "SELECT sql FROM sqlite_master WHERE tbl_name = 'journal' AND sql IS NOT NULL ORDER BY type DESC";
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) statements.Add(reader.GetString(0));
    }
    foreach (var sql in statements)
        await ExecuteAsync(connection, Regex.Replace(sql, @"\bjournal\b|(?<=INDEX\s+[""`\[]?)\w+", m => "raw_" + m.Value));
}

static async Task ExecuteAsync(DbConnection connection, string sql)
{
    await using var command = connection.CreateCommand();
    command.CommandText = sql;
    await command.ExecuteNonQueryAsync();
}
