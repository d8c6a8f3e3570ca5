using System.Data.Common;
using System.Diagnostics;
using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence;
using AkkaRlhf.Persistence.Runs;
using AkkaSerialization = Akka.Serialization.Serialization;

namespace AkkaRlhf.Persistence.Bench;

/// <summary>One line of the results table.</summary>
internal sealed record Row(string Provider, string Benchmark, string Akka, string Raw, string Ratio, string Baseline);

/// <summary>
/// The journal benchmarks of one provider, Akka.Persistence.Sql beside raw ADO.NET on the same database:
/// writes (Persist one at a time, PersistAll of 100) vs parameterized INSERTs (one row per transaction, 100 per
/// transaction) into a table of the journal's shape; recovery of a persistent actor (every event, or a snapshot
/// near the end + the events after it) vs a SELECT of the same rows of the journal's table, deserialized alike.
/// </summary>
/// <param name="provider">The name shown in the table.</param>
/// <param name="settings">The journal (SQLite file or PostgreSQL server).</param>
/// <param name="connect">A new, closed ADO.NET connection to the same database.</param>
/// <param name="copyJournalShape">Creates <c>raw_journal</c> with the journal table's columns and indexes.</param>
/// <param name="overrides">HOCON over the journal's Akka configuration ("" for none).</param>
internal sealed class JournalBench(string provider, PersistenceSettings settings, Func<DbConnection> connect, Func<DbConnection, Task> copyJournalShape, string overrides)
{
    private const int BatchSize = 100;
    private const int Repeats = 3;                    // every figure: the best of 3 rounds (a noisy, shared machine)
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);
    private readonly Config _akka = ConfigurationFactory.ParseString(overrides).WithFallback(settings.ToAkkaConfig())
        .WithFallback("akka.loglevel = WARNING\nakka.stdout-loglevel = WARNING");

    public async Task<IReadOnlyList<Row>> RunAsync(int unbatchedEvents, int events)
    {
        var system = ActorSystem.Create("bench", _akka);
        var serialization = system.Serialization;
        await using var raw = connect();
        await raw.OpenAsync();

        // Warm-up (JIT, the plugin's table creation and connections): 500 events each way.
        await AkkaWriteAsync(system, "warm-up", 300, 1);
        await AkkaWriteAsync(system, "warm-up", 200, BatchSize);
        await copyJournalShape(raw);
        await RawWriteAsync(raw, serialization, "warm-up-1", 300, 1);
        await RawWriteAsync(raw, serialization, "warm-up-100", 200, BatchSize);

        // 1. Writes: Repeats rounds of Akka then raw, unbatched then batched (fresh persistence ids); the best round of each.
        double akkaOne = 0, rawOne = 0, akkaBatched = 0, rawBatched = 0;
        for (var round = 1; round <= Repeats; round++)
        {
            akkaOne = Math.Max(akkaOne, await AkkaWriteAsync(system, $"unbatched-{round}", unbatchedEvents, 1));
            rawOne = Math.Max(rawOne, await RawWriteAsync(raw, serialization, $"unbatched-{round}", unbatchedEvents, 1));
            akkaBatched = Math.Max(akkaBatched, await AkkaWriteAsync(system, $"batched-{round}", events, BatchSize));
            rawBatched = Math.Max(rawBatched, await RawWriteAsync(raw, serialization, $"batched-{round}", events, BatchSize));
        }

        // A snapshot of "batched-1" 100 events before its end (its state: the count of events so far).
        const string recovered = "batched-1";
        var snapshotAt = events - 100;
        var store = Akka.Persistence.Persistence.Instance.Apply(system).SnapshotStoreFor(null);
        var saved = await store.Ask<object>(new SaveSnapshot(new SnapshotMetadata(recovered, snapshotAt, DateTime.UtcNow), (long)snapshotAt), Timeout);
        if (saved is not SaveSnapshotSuccess) throw new InvalidOperationException($"snapshot: {saved}");
        await system.Terminate();

        // 2. Recovery of "batched-1" (each in a fresh actor system) beside SELECTs of the same rows; Repeats rounds, the best of each.
        double akkaFull = double.MaxValue, rawFull = double.MaxValue, rawBytes = double.MaxValue, akkaSnapshot = double.MaxValue, rawSnapshot = double.MaxValue;
        for (var round = 1; round <= Repeats; round++)
        {
            akkaFull = Math.Min(akkaFull, await AkkaRecoveryAsync(recovered, useSnapshot: false, events));
            rawFull = Math.Min(rawFull, await RawRecoveryAsync(raw, serialization, recovered, useSnapshot: false, events));
            rawBytes = Math.Min(rawBytes, await RawRecoveryAsync(raw, null, recovered, useSnapshot: false, events));
            akkaSnapshot = Math.Min(akkaSnapshot, await AkkaRecoveryAsync(recovered, useSnapshot: true, events));
            rawSnapshot = Math.Min(rawSnapshot, await RawRecoveryAsync(raw, serialization, recovered, useSnapshot: true, events));
        }

        var parameterized = raw.CanCreateBatch ? $"one NpgsqlBatch of {BatchSize} parameterized INSERTs" : $"{BatchSize} parameterized INSERTs";
        return
        [
            Write($"write, Persist 1 event awaited ({unbatchedEvents:N0} events)", akkaOne, rawOne, "1 parameterized INSERT per transaction (autocommit)"),
            Write($"write, PersistAll {BatchSize} awaited ({events:N0} events)", akkaBatched, rawBatched, $"{parameterized} per transaction"),
            Recovery($"recovery, {events:N0} events, no snapshot", akkaFull, rawFull, $"SELECT of the rows + the same deserializer (bytes only: {Ms(rawBytes)})"),
            Recovery($"recovery, snapshot at {snapshotAt:N0} + 100 events", akkaSnapshot, rawSnapshot, "SELECT of the newest snapshot + the rows after it, deserialized"),
        ];
    }

    // Throughput rows: events/s, ratio = Akka / raw. Recovery rows: ms, ratio = raw time / Akka time (both: 1.00x = as fast as raw).
    private Row Write(string what, double akka, double raw, string baseline) =>
        new(provider, what, $"{akka:N0} ev/s", $"{raw:N0} ev/s", $"{akka / raw:0.00}x", baseline);

    private Row Recovery(string what, double akkaMs, double rawMs, string baseline) =>
        new(provider, what, Ms(akkaMs), Ms(rawMs), $"{rawMs / akkaMs:0.00}x", baseline);

    private static string Ms(double ms) => ms < 100 ? $"{ms:N1} ms" : $"{ms:N0} ms";

    /// <summary>An IterationCompleted like a run's (six metrics; about 150 bytes of JSON).</summary>
    private static IterationCompleted Event(long n) => new(n, n / 4, new Dictionary<string, double>
    {
        ["reward"] = 0.5 + n % 100 / 1000.0, ["kl"] = 0.01 * (n % 7), ["policy_loss"] = -0.12 - n % 13 / 100.0,
        ["value_loss"] = 0.31, ["entropy"] = 1.7, ["tokens_per_s"] = 1234.5 + n % 10,
    });

    /// <summary>Akka writes: <paramref name="events"/> events to a fresh <see cref="BenchWriter"/>, <paramref name="perWrite"/> per command, each command awaited.</summary>
    private static async Task<double> AkkaWriteAsync(ActorSystem system, string pid, int events, int perWrite)
    {
        var writer = system.ActorOf(Props.Create(() => new BenchWriter(pid)));
        await writer.Ask<long>(BenchWriter.Ready, Timeout);                        // its (empty) recovery is done
        var clock = Stopwatch.StartNew();
        for (var start = 1; start <= events; start += perWrite)
        {
            object command = perWrite == 1 ? Event(start) : Enumerable.Range(start, Math.Min(perWrite, events - start + 1)).Select(n => Event(n)).ToArray();
            await writer.Ask<long>(command, Timeout);
        }
        var rate = events / clock.Elapsed.TotalSeconds;
        system.Stop(writer);
        return rate;
    }

    /// <summary>
    /// Raw writes: the same events, serialized by the same serializer, as parameterized INSERTs into <c>raw_journal</c>
    /// (the journal's columns and indexes); <paramref name="perTransaction"/> rows per transaction.
    /// </summary>
    private static async Task<double> RawWriteAsync(DbConnection connection, AkkaSerialization serialization, string pid, int events, int perTransaction)
    {
        const string insert = "INSERT INTO raw_journal (deleted, persistence_id, sequence_number, created, message, identifier, manifest, writer_uuid) " +
                              "VALUES (@deleted, @pid, @seq, @created, @message, @identifier, @manifest, @writer)";
        var writer = Guid.NewGuid().ToString();
        void Bind(DbParameterCollection parameters, Func<DbParameter> create, long n)
        {
            var e = Event(n);
            var serializer = serialization.FindSerializerFor(e);
            parameters.Clear();
            foreach (var (name, value) in new (string, object)[]
                     {
                         ("@deleted", false), ("@pid", pid), ("@seq", n), ("@created", DateTime.UtcNow.Ticks), ("@message", serializer.ToBinary(e)),
                         ("@identifier", serializer.Identifier), ("@manifest", AkkaSerialization.ManifestFor(serializer, e)), ("@writer", writer),
                     })
            {
                var parameter = create();
                parameter.ParameterName = name;
                parameter.Value = value;
                parameters.Add(parameter);
            }
        }

        await using var command = connection.CreateCommand();
        command.CommandText = insert;
        var clock = Stopwatch.StartNew();
        for (var start = 1; start <= events; start += perTransaction)
        {
            var end = Math.Min(start + perTransaction, events + 1);
            if (perTransaction == 1)
            {
                Bind(command.Parameters, command.CreateParameter, start);
                await command.ExecuteNonQueryAsync();                               // autocommit: one transaction
                continue;
            }
            await using var transaction = await connection.BeginTransactionAsync();
            if (connection.CanCreateBatch)                                          // Npgsql: the 100 INSERTs in one round trip
            {
                await using var batch = connection.CreateBatch();
                batch.Transaction = transaction;
                for (var n = start; n < end; n++)
                {
                    var one = batch.CreateBatchCommand();
                    one.CommandText = insert;
                    Bind(one.Parameters, one.CreateParameter, n);
                    batch.BatchCommands.Add(one);
                }
                await batch.ExecuteNonQueryAsync();
            }
            else                                                                    // SQLite (in-process): one statement, executed 100 times
            {
                command.Transaction = transaction;
                for (var n = start; n < end; n++)
                {
                    Bind(command.Parameters, command.CreateParameter, n);
                    await command.ExecuteNonQueryAsync();
                }
                command.Transaction = null;
            }
            await transaction.CommitAsync();
        }
        return events / clock.Elapsed.TotalSeconds;
    }

    /// <summary>Akka recovery: ms from creating a <see cref="BenchRecovery"/> to its RecoveryCompleted, in a fresh system whose plugin is already started.</summary>
    private async Task<double> AkkaRecoveryAsync(string pid, bool useSnapshot, long expected)
    {
        var system = ActorSystem.Create("recovery", _akka);
        try
        {
            await RecoverAsync(system, "warm-up", useSnapshot);                     // starts the journal and snapshot plugins
            var clock = Stopwatch.StartNew();
            var count = await RecoverAsync(system, pid, useSnapshot);
            var ms = clock.Elapsed.TotalMilliseconds;
            if (count != expected) throw new InvalidOperationException($"recovered {count} events, expected {expected}");
            return ms;
        }
        finally { await system.Terminate(); }
    }

    private static Task<long> RecoverAsync(ActorSystem system, string pid, bool useSnapshot)
    {
        var done = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        system.ActorOf(Props.Create(() => new BenchRecovery(pid, useSnapshot, done)));
        return done.Task.WaitAsync(Timeout);
    }

    /// <summary>
    /// Raw recovery: the newest snapshot (when <paramref name="useSnapshot"/>) and the journal rows after it, read from the
    /// plugin's own tables in one SELECT each and deserialized by the same serializers (none: bytes only).
    /// </summary>
    private static async Task<double> RawRecoveryAsync(DbConnection connection, AkkaSerialization? serialization, string pid, bool useSnapshot, long expected)
    {
        var clock = Stopwatch.StartNew();
        long count = 0, from = 1;
        if (useSnapshot)
        {
            await using var snapshot = connection.CreateCommand();
            snapshot.CommandText = "SELECT sequence_number, snapshot, serializer_id, manifest FROM snapshot WHERE persistence_id = @pid ORDER BY sequence_number DESC LIMIT 1";
            Set(snapshot, "@pid", pid);
            await using var reader = await snapshot.ExecuteReaderAsync();
            if (await reader.ReadAsync())
            {
                from = reader.GetInt64(0) + 1;
                count = (long)serialization!.Deserialize(reader.GetFieldValue<byte[]>(1), reader.GetInt32(2), reader.GetString(3));
            }
        }
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT sequence_number, message, identifier, manifest FROM journal " +
                              "WHERE persistence_id = @pid AND sequence_number >= @from AND deleted = @deleted ORDER BY sequence_number";
        Set(command, "@pid", pid);
        Set(command, "@from", from);
        Set(command, "@deleted", false);
        await using (var reader = await command.ExecuteReaderAsync())
            while (await reader.ReadAsync())
            {
                var bytes = reader.GetFieldValue<byte[]>(1);
                if (serialization is null || serialization.Deserialize(bytes, reader.GetInt32(2), reader.GetString(3)) is IterationCompleted) count++;
            }
        var ms = clock.Elapsed.TotalMilliseconds;
        if (count != expected) throw new InvalidOperationException($"raw recovery counted {count} events, expected {expected}");
        return ms;
    }

    private static void Set(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
