using System.Diagnostics;
using System.Globalization;
using AkkaRlhf.Persistence;
using AkkaRlhf.Persistence.Bench;
using AkkaRlhf.Persistence.Serialization;
using AkkaRlhf.Persistence.Sql;
using AkkaRlhf.Runtime;
using Microsoft.Data.Sqlite;
using Npgsql;

// Journal benchmarks: write throughput (unbatched and 100 events per AtomicWrite) and recovery of 100k events,
// each beside a raw ADO.NET loop writing/reading the same rows (same table shape, same payload bytes).
// Run: dotnet run -c Release --project bench/Persistence [-- --quick]
// Checkpoint save/load vs a plain file copy (Models Checkpoint, ~50 MB of parameters): -- --checkpoint
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
if (args.Contains("--checkpoint"))
{
    CheckpointBench.Run(repeats: 3);
    return;
}
var quick = args.Contains("--quick");
var unbatchedSqlite = quick ? 2_000 : 20_000;
var unbatchedPostgres = quick ? 1_000 : 5_000;
var batchedEvents = quick ? 20_000 : 100_000;
const int batchSize = 100;

var system = ActorSystem.Create("bench", ActorSystemSettings.Default.WithStdoutLogging(false));
system.Serialization.Register<BenchEvent>("bench.event");
var rows = Enumerable.Range(1, Math.Max(batchedEvents, unbatchedSqlite))
    .Select(i => StoredPayload.From(system.Serialization, Event(i))).ToArray();
var table = new List<string>();
var folder = Directory.CreateTempSubdirectory("akka-rlhf-bench-").FullName;

// ---------- SQLite ----------
{
    var database = new SqliteDatabase(Path.Combine(folder, "journal.db"));
    var journal = new SqlJournal(database, system.Serialization);
    await journal.ReadHighestSequenceNrAsync("warm-up", 0);
    await WriteOursAsync(journal, "warm-up", 500, 1); // JIT warm-up
    var raw = new SqliteConnection($"Data Source={Path.Combine(folder, "raw.db")}");
    await raw.OpenAsync();
    await Sql(raw, "PRAGMA journal_mode = WAL");
    await Sql(raw, "PRAGMA synchronous = NORMAL");
    await Sql(raw, "CREATE TABLE journal (persistence_id TEXT NOT NULL, sequence_nr INTEGER NOT NULL, manifest TEXT NOT NULL, payload BLOB NOT NULL, created_at INTEGER NOT NULL, deleted INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (persistence_id, sequence_nr)) WITHOUT ROWID");

    var oursUnbatched = await WriteOursAsync(journal, "unbatched", unbatchedSqlite, 1);
    var rawUnbatched = await RawSqliteAsync(raw, "unbatched", unbatchedSqlite, 1);
    var oursBatched = await WriteOursAsync(journal, "batched", batchedEvents, batchSize);
    var rawBatched = await RawSqliteAsync(raw, "batched", batchedEvents, batchSize);
    var oursRecovery = await RecoverAsync(PersistenceSettings.Default with { Provider = PersistenceProvider.Sqlite, Sqlite = new SqliteOptions(database.Path) }, "batched", batchedEvents);
    var rawRecovery = await RawReplayAsync(raw, "batched", batchedEvents);
    await raw.DisposeAsync();
    await database.DisposeAsync();
    table.Add(Row("SQLite", $"write, 1 event per AtomicWrite ({unbatchedSqlite:N0} events/s)", oursUnbatched, rawUnbatched, "raw Microsoft.Data.Sqlite, 1 row per transaction"));
    table.Add(Row("SQLite", $"write, {batchSize} events per AtomicWrite ({batchedEvents:N0} events/s)", oursBatched, rawBatched, $"raw Microsoft.Data.Sqlite, {batchSize} rows per transaction"));
    table.Add(RowTime("SQLite", $"recovery of {batchedEvents:N0} events (ms)", oursRecovery, rawRecovery, "raw SELECT of the rows, no deserialization"));
}

// ---------- PostgreSQL ----------
await using (var server = await LocalPostgreSql.StartAsync())
{
    if (server is null) table.Add("| PostgreSQL | skipped: /usr/lib/postgresql/*/bin/initdb not found | | | | |");
    else
    {
        var database = new PostgreSqlDatabase(server.ConnectionString);
        var journal = new SqlJournal(database, system.Serialization);
        await WriteOursAsync(journal, "warm-up", 500, 1);
        await using var raw = new NpgsqlConnection(server.ConnectionString);
        await raw.OpenAsync();
        await Sql(raw, "CREATE TABLE raw_journal (persistence_id TEXT NOT NULL, sequence_nr BIGINT NOT NULL, manifest TEXT NOT NULL, payload BYTEA NOT NULL, created_at BIGINT NOT NULL, deleted SMALLINT NOT NULL DEFAULT 0, PRIMARY KEY (persistence_id, sequence_nr))");

        var oursUnbatched = await WriteOursAsync(journal, "unbatched", unbatchedPostgres, 1);
        var rawUnbatched = await RawPostgresAsync(raw, "unbatched", unbatchedPostgres, 1);
        var oursBatched = await WriteOursAsync(journal, "batched", batchedEvents, batchSize);
        var rawBatched = await RawPostgresAsync(raw, "batched", batchedEvents, batchSize);
        var oursRecovery = await RecoverAsync(PersistenceSettings.Default with { Provider = PersistenceProvider.PostgreSql, PostgreSqlConnectionString = server.ConnectionString, ReplayBatchSize = int.Parse(Environment.GetEnvironmentVariable("BENCH_REPLAY_BATCH") ?? "10000") }, "batched", batchedEvents);
        var rawRecovery = await RawReplayAsync(raw, "batched", batchedEvents, "raw_journal");
        await database.DisposeAsync();
        table.Add(Row("PostgreSQL", $"write, 1 event per AtomicWrite ({unbatchedPostgres:N0} events/s)", oursUnbatched, rawUnbatched, "raw Npgsql, 1 autocommit INSERT per row"));
        table.Add(Row("PostgreSQL", $"write, {batchSize} events per AtomicWrite ({batchedEvents:N0} events/s)", oursBatched, rawBatched, $"raw Npgsql, NpgsqlBatch of {batchSize} per transaction"));
        table.Add(RowTime("PostgreSQL", $"recovery of {batchedEvents:N0} events (ms)", oursRecovery, rawRecovery, "raw SELECT of the rows, no deserialization"));
    }
}
await system.Terminate();
Directory.Delete(folder, recursive: true);

Console.WriteLine($"Persistence bench ({Environment.ProcessorCount} cores, .NET {Environment.Version}; SQLite WAL synchronous=NORMAL; PostgreSQL default durability)");
Console.WriteLine();
Console.WriteLine("| provider | benchmark | AkkaRlhf journal | raw baseline | ratio | baseline is |");
Console.WriteLine("|---|---|---|---|---|---|");
foreach (var line in table) Console.WriteLine(line);
return;

static BenchEvent Event(long n) => new($"iteration-metrics reward=0.{n % 1000:000} kl=0.0{n % 97:00} policy=v{n / 100}", n);

static string Row(string provider, string what, double ours, double raw, string baseline) =>
    $"| {provider} | {what} | {ours:N0} | {raw:N0} | {ours / raw:0.00}x | {baseline} |";

static string RowTime(string provider, string what, double ours, double raw, string baseline) =>
    $"| {provider} | {what} | {ours:N0} | {raw:N0} | {ours / raw:0.00}x slower | {baseline} |";

async Task<double> WriteOursAsync(IJournal journal, string pid, int events, int perWrite)
{
    var clock = Stopwatch.StartNew();
    for (var start = 1; start <= events; start += perWrite)
    {
        var payload = new List<Persistent>(perWrite);
        for (var n = start; n < start + perWrite && n <= events; n++) payload.Add(new Persistent(Event(n), n, pid));
        var results = await journal.WriteMessagesAsync([new AtomicWrite(payload)]);
        if (results[0] is { } error) throw error;
    }
    return events / clock.Elapsed.TotalSeconds;
}

async Task<double> RawSqliteAsync(SqliteConnection connection, string pid, int events, int perTransaction)
{
    await using var command = connection.CreateCommand();
    command.CommandText = "INSERT INTO journal (persistence_id, sequence_nr, manifest, payload, created_at) VALUES (@pid, @seq, @manifest, @payload, @created)";
    var p = command.Parameters.Add("@pid", SqliteType.Text);
    var seq = command.Parameters.Add("@seq", SqliteType.Integer);
    var manifest = command.Parameters.Add("@manifest", SqliteType.Text);
    var payload = command.Parameters.Add("@payload", SqliteType.Blob);
    var created = command.Parameters.Add("@created", SqliteType.Integer);
    var clock = Stopwatch.StartNew();
    for (var start = 1; start <= events; start += perTransaction)
    {
        await using var transaction = connection.BeginTransaction();
        command.Transaction = transaction;
        for (var n = start; n < start + perTransaction && n <= events; n++)
        {
            p.Value = pid;
            seq.Value = n;
            manifest.Value = rows[n - 1].Manifest;
            payload.Value = rows[n - 1].Bytes;
            created.Value = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            await command.ExecuteNonQueryAsync();
        }
        await transaction.CommitAsync();
    }
    return events / clock.Elapsed.TotalSeconds;
}

async Task<double> RawPostgresAsync(NpgsqlConnection connection, string pid, int events, int perTransaction)
{
    const string insert = "INSERT INTO raw_journal (persistence_id, sequence_nr, manifest, payload, created_at) VALUES ($1, $2, $3, $4, $5)";
    var clock = Stopwatch.StartNew();
    for (var start = 1; start <= events; start += perTransaction)
    {
        if (perTransaction == 1)
        {
            await using var command = new NpgsqlCommand(insert, connection);
            AddParameters(command.Parameters, pid, start);
            await command.ExecuteNonQueryAsync();
            continue;
        }
        await using var transaction = await connection.BeginTransactionAsync();
        await using var batch = new NpgsqlBatch(connection, transaction);
        for (var n = start; n < start + perTransaction && n <= events; n++)
        {
            var command = new NpgsqlBatchCommand(insert);
            AddParameters(command.Parameters, pid, n);
            batch.BatchCommands.Add(command);
        }
        await batch.ExecuteNonQueryAsync();
        await transaction.CommitAsync();
    }
    return events / clock.Elapsed.TotalSeconds;
}

void AddParameters(NpgsqlParameterCollection parameters, string pid, int n)
{
    parameters.Add(new NpgsqlParameter<string> { TypedValue = pid });
    parameters.Add(new NpgsqlParameter<long> { TypedValue = n });
    parameters.Add(new NpgsqlParameter<string> { TypedValue = rows[n - 1].Manifest });
    parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = rows[n - 1].Bytes });
    parameters.Add(new NpgsqlParameter<long> { TypedValue = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() });
}

async Task<double> RecoverAsync(PersistenceSettings settings, string pid, int expected)
{
    using var recoverySystem = ActorSystem.Create("recovery", ActorSystemSettings.Default.WithStdoutLogging(false));
    recoverySystem.Serialization.Register<BenchEvent>("bench.event");
    PersistenceExtension.Configure(recoverySystem, settings);
    var done = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
    var clock = Stopwatch.StartNew();
    recoverySystem.ActorOf(Props.Create(() => new CountingActor(pid, done)));
    var count = await done.Task.WaitAsync(TimeSpan.FromMinutes(2));
    var elapsed = clock.Elapsed.TotalMilliseconds;
    if (count != expected) throw new InvalidOperationException($"recovered {count} events, expected {expected}");
    await recoverySystem.Terminate();
    return elapsed;
}

static async Task<double> RawReplayAsync(System.Data.Common.DbConnection connection, string pid, int expected, string table = "journal")
{
    var clock = Stopwatch.StartNew();
    await using var command = connection.CreateCommand();
    command.CommandText = $"SELECT sequence_nr, manifest, payload FROM {table} WHERE persistence_id = @pid AND deleted = 0 ORDER BY sequence_nr";
    var parameter = command.CreateParameter();
    parameter.ParameterName = "@pid";
    parameter.Value = pid;
    command.Parameters.Add(parameter);
    var count = 0;
    long bytes = 0;
    await using (var reader = await command.ExecuteReaderAsync())
        while (await reader.ReadAsync())
        {
            count++;
            bytes += reader.GetString(1).Length + reader.GetFieldValue<byte[]>(2).Length + reader.GetInt64(0);
        }
    if (count != expected) throw new InvalidOperationException($"raw replay read {count} rows, expected {expected} ({bytes})");
    return clock.Elapsed.TotalMilliseconds;
}

static async Task Sql(System.Data.Common.DbConnection connection, string sql)
{
    await using var command = connection.CreateCommand();
    command.CommandText = sql;
    await command.ExecuteNonQueryAsync();
}

/// <summary>The benchmark's event.</summary>
internal sealed record BenchEvent(string Text, long N);

/// <summary>Counts replayed events and reports at RecoveryCompleted.</summary>
internal sealed class CountingActor : PersistentActor
{
    private readonly TaskCompletionSource<long> _done;
    private long _count;

    public CountingActor(string persistenceId, TaskCompletionSource<long> done)
    {
        PersistenceId = persistenceId;
        _done = done;
    }

    public override string PersistenceId { get; }

    protected override bool ReceiveRecover(object message)
    {
        if (message is BenchEvent) _count++;
        else if (message is RecoveryCompleted) _done.TrySetResult(_count);
        return true;
    }

    protected override bool ReceiveCommand(object message) => false;

    protected override void OnRecoveryFailure(Exception cause, object? @event) => _done.TrySetException(cause);
}
