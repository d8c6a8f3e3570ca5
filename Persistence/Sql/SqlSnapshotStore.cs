using AkkaRlhf.Persistence.Serialization;
using AkkaRlhf.Runtime.Serialization;

namespace AkkaRlhf.Persistence.Sql;

/// <summary>
/// Snapshots in a SQL table: <c>snapshot(persistence_id, sequence_nr, created_at, manifest, payload)</c>, primary key
/// <c>(persistence_id, sequence_nr)</c>; saving the same sequence number again replaces the row (upsert).
/// Timestamps are stored as UTC ticks. A snapshot that no longer deserializes is skipped for the next older one.
/// </summary>
public sealed class SqlSnapshotStore(SqlDatabase database, MessageSerialization serialization) : ISnapshotStore
{
    private const int LoadAttempts = 3;

    /// <summary>The database behind the store.</summary>
    public SqlDatabase Database { get; } = database;

    /// <inheritdoc />
    public async Task<SelectedSnapshot?> LoadAsync(string persistenceId, SnapshotSelectionCriteria criteria, CancellationToken cancellationToken = default)
    {
        await Database.EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await Database.OpenReadConnectionAsync(cancellationToken).ConfigureAwait(false);
        Exception? firstError = null;
        var maxSequenceNr = criteria.MaxSequenceNr;
        for (var attempt = 0; attempt < LoadAttempts; attempt++)
        {
            await using var command = connection.CreateCommand();
            command.CommandText =
                "SELECT sequence_nr, created_at, manifest, payload FROM snapshot WHERE persistence_id = @pid " +
                "AND sequence_nr <= @maxSeq AND created_at <= @maxTs AND sequence_nr >= @minSeq AND created_at >= @minTs " +
                "ORDER BY sequence_nr DESC LIMIT 1";
            SqlDatabase.AddParameter(command, "@pid", persistenceId);
            SqlDatabase.AddParameter(command, "@maxSeq", maxSequenceNr);
            SqlDatabase.AddParameter(command, "@maxTs", Ticks(criteria.MaxTimestamp));
            SqlDatabase.AddParameter(command, "@minSeq", criteria.MinSequenceNr);
            SqlDatabase.AddParameter(command, "@minTs", Ticks(criteria.MinTimestampOrMin));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) break;
            var metadata = new SnapshotMetadata(persistenceId, reader.GetInt64(0), new DateTime(reader.GetInt64(1), DateTimeKind.Utc));
            var stored = new StoredPayload(reader.GetString(2), reader.GetFieldValue<byte[]>(3));
            try
            {
                return new SelectedSnapshot(metadata, stored.ToValue(serialization));
            }
            catch (MessageSerializationException e)
            {
                firstError ??= e;
                maxSequenceNr = metadata.SequenceNr - 1;
            }
        }
        return firstError is null ? null : throw firstError;
    }

    /// <inheritdoc />
    public async Task SaveAsync(SnapshotMetadata metadata, object snapshot, CancellationToken cancellationToken = default)
    {
        var stored = StoredPayload.From(serialization, snapshot); // before the first await: the caller may change its state afterwards
        await Database.EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        await Database.WriteAsync(async (connection, transaction) =>
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText =
                "INSERT INTO snapshot (persistence_id, sequence_nr, created_at, manifest, payload) VALUES (@pid, @seq, @ts, @manifest, @payload) " +
                "ON CONFLICT (persistence_id, sequence_nr) DO UPDATE SET created_at = excluded.created_at, manifest = excluded.manifest, payload = excluded.payload";
            SqlDatabase.AddParameter(command, "@pid", metadata.PersistenceId);
            SqlDatabase.AddParameter(command, "@seq", metadata.SequenceNr);
            SqlDatabase.AddParameter(command, "@ts", Ticks(metadata.Timestamp));
            SqlDatabase.AddParameter(command, "@manifest", stored.Manifest);
            SqlDatabase.AddParameter(command, "@payload", stored.Bytes);
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task DeleteAsync(SnapshotMetadata metadata, CancellationToken cancellationToken = default) =>
        DeleteWhereAsync("persistence_id = @pid AND sequence_nr = @seq", metadata.PersistenceId, cancellationToken,
            ("@seq", metadata.SequenceNr));

    /// <inheritdoc />
    public Task DeleteAsync(string persistenceId, SnapshotSelectionCriteria criteria, CancellationToken cancellationToken = default) =>
        DeleteWhereAsync(
            "persistence_id = @pid AND sequence_nr <= @maxSeq AND created_at <= @maxTs AND sequence_nr >= @minSeq AND created_at >= @minTs",
            persistenceId, cancellationToken,
            ("@maxSeq", criteria.MaxSequenceNr), ("@maxTs", Ticks(criteria.MaxTimestamp)),
            ("@minSeq", criteria.MinSequenceNr), ("@minTs", Ticks(criteria.MinTimestampOrMin)));

    private async Task DeleteWhereAsync(string where, string persistenceId, CancellationToken cancellationToken, params (string Name, long Value)[] parameters)
    {
        await Database.EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        await Database.WriteAsync(async (connection, transaction) =>
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "DELETE FROM snapshot WHERE " + where; // fixed text; values are parameters
            SqlDatabase.AddParameter(command, "@pid", persistenceId);
            foreach (var (name, value) in parameters) SqlDatabase.AddParameter(command, name, value);
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
    }

    private static long Ticks(DateTime time) =>
        time.Kind == DateTimeKind.Local ? time.ToUniversalTime().Ticks : time.Ticks;
}
