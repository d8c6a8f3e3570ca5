using System.Data.Common;
using AkkaRlhf.Persistence.Serialization;
using AkkaRlhf.Runtime.Serialization;

namespace AkkaRlhf.Persistence.Sql;

/// <summary>
/// The journal in a SQL table: <c>journal(persistence_id, sequence_nr, manifest, payload, created_at, deleted)</c>
/// with primary key <c>(persistence_id, sequence_nr)</c>. A call to <see cref="WriteMessagesAsync"/> is one
/// transaction. Deleting keeps the row of the highest sequence number as a tombstone (flag <c>deleted</c>) so
/// that <see cref="ReadHighestSequenceNrAsync"/> never goes back; the other deleted rows are removed.
/// </summary>
public sealed class SqlJournal(SqlDatabase database, MessageSerialization serialization) : IJournal, IPersistenceIdsQuery
{
    /// <summary>The database behind the journal.</summary>
    public SqlDatabase Database { get; } = database;

    /// <inheritdoc />
    public async Task<IReadOnlyList<Exception?>> WriteMessagesAsync(IReadOnlyList<AtomicWrite> messages, CancellationToken cancellationToken = default)
    {
        var results = new Exception?[messages.Count];
        var rows = new List<JournalRow>();
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var accepted = new List<JournalRow>();
        for (var i = 0; i < messages.Count; i++)
        {
            accepted.Clear();
            try
            {
                foreach (var persistent in messages[i].Payload)
                {
                    var stored = StoredPayload.From(serialization, persistent.Payload);
                    accepted.Add(new JournalRow(persistent.PersistenceId, persistent.SequenceNr, stored.Manifest, stored.Bytes, now));
                }
                rows.AddRange(accepted);
            }
            catch (Exception e) { results[i] = e; }
        }
        if (rows.Count > 0)
        {
            await Database.EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
            await Database.WriteAsync(async (connection, transaction) =>
            {
                await Database.InsertEventsAsync(connection, transaction, rows, cancellationToken).ConfigureAwait(false);
                return 0;
            }, cancellationToken).ConfigureAwait(false);
        }
        return results;
    }

    /// <inheritdoc />
    public async Task ReplayMessagesAsync(string persistenceId, long fromSequenceNr, long toSequenceNr, long max,
        Action<Persistent> recoveryCallback, CancellationToken cancellationToken = default)
    {
        if (max <= 0 || fromSequenceNr > toSequenceNr) return;
        await Database.EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await Database.OpenReadConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText =
            "SELECT sequence_nr, manifest, payload, created_at FROM journal " +
            "WHERE persistence_id = @pid AND sequence_nr >= @from AND sequence_nr <= @to AND deleted = 0 " +
            "ORDER BY sequence_nr LIMIT @max";
        SqlDatabase.AddParameter(command, "@pid", persistenceId);
        SqlDatabase.AddParameter(command, "@from", fromSequenceNr);
        SqlDatabase.AddParameter(command, "@to", toSequenceNr);
        SqlDatabase.AddParameter(command, "@max", max);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var stored = new StoredPayload(reader.GetString(1), reader.GetFieldValue<byte[]>(2));
            recoveryCallback(new Persistent(stored.ToValue(serialization), reader.GetInt64(0), persistenceId, reader.GetInt64(3)));
        }
    }

    /// <inheritdoc />
    public async Task<long> ReadHighestSequenceNrAsync(string persistenceId, long fromSequenceNr, CancellationToken cancellationToken = default)
    {
        await Database.EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await Database.OpenReadConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COALESCE(MAX(sequence_nr), 0) FROM journal WHERE persistence_id = @pid";
        SqlDatabase.AddParameter(command, "@pid", persistenceId);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <inheritdoc />
    public async Task DeleteMessagesToAsync(string persistenceId, long toSequenceNr, CancellationToken cancellationToken = default)
    {
        await Database.EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        await Database.WriteAsync(async (connection, transaction) =>
        {
            await ExecuteAsync(connection, transaction,
                "DELETE FROM journal WHERE persistence_id = @pid AND sequence_nr <= @to " +
                "AND sequence_nr < (SELECT MAX(sequence_nr) FROM journal WHERE persistence_id = @pid)",
                persistenceId, toSequenceNr, cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(connection, transaction,
                "UPDATE journal SET deleted = 1 WHERE persistence_id = @pid AND sequence_nr <= @to",
                persistenceId, toSequenceNr, cancellationToken).ConfigureAwait(false);
            return 0;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<string>> CurrentPersistenceIdsAsync(string prefix, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        await Database.EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await Database.OpenReadConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText =
            "SELECT DISTINCT persistence_id FROM journal WHERE substr(persistence_id, 1, @length) = @prefix";
        SqlDatabase.AddParameter(command, "@length", prefix.Length);
        SqlDatabase.AddParameter(command, "@prefix", prefix);
        var ids = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) ids.Add(reader.GetString(0));
        ids.Sort(StringComparer.Ordinal);
        return ids;
    }

    private static async Task ExecuteAsync(DbConnection connection, DbTransaction transaction, string sql,
        string persistenceId, long toSequenceNr, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        SqlDatabase.AddParameter(command, "@pid", persistenceId);
        SqlDatabase.AddParameter(command, "@to", toSequenceNr);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
