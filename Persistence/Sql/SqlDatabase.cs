using System.Data.Common;

namespace AkkaRlhf.Persistence.Sql;

/// <summary>
/// A SQL database holding the journal and snapshot tables: how to open connections, how writes are
/// serialized, and the dialect's migrations. <see cref="SqliteDatabase"/> and <see cref="PostgreSqlDatabase"/>
/// implement it; one instance can back both a <see cref="SqlJournal"/> and a <see cref="SqlSnapshotStore"/>.
/// The schema is created on first use (see <see cref="EnsureSchemaAsync"/>). All SQL uses parameters.
/// </summary>
public abstract class SqlDatabase : IAsyncDisposable
{
    private readonly SemaphoreSlim _schemaLock = new(1, 1);
    private volatile bool _schemaReady;

    /// <summary>The schema steps of this dialect, by increasing version.</summary>
    protected internal abstract IReadOnlyList<Migration> Migrations { get; }

    /// <summary>The schema version this code expects (the last migration's).</summary>
    public int LatestSchemaVersion => Migrations[^1].Version;

    /// <summary>Opens a connection for reading.</summary>
    protected internal abstract Task<DbConnection> OpenReadConnectionAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Runs <paramref name="work"/> in a write transaction and commits it. SQLite serializes all writes through
    /// one connection; PostgreSQL uses a pooled connection per call.
    /// </summary>
    protected internal abstract Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken cancellationToken);

    /// <summary>SQL run inside the migration transaction before reading the version (PostgreSQL: an advisory lock), or null.</summary>
    protected virtual string? MigrationLockSql => null;

    /// <summary>Inserts journal rows inside a write transaction; the default runs one prepared INSERT per row.</summary>
    internal virtual async Task InsertEventsAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<JournalRow> rows, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText =
            "INSERT INTO journal (persistence_id, sequence_nr, manifest, payload, created_at) VALUES (@pid, @seq, @manifest, @payload, @created)";
        var pid = AddParameter(command, "@pid", "");
        var seq = AddParameter(command, "@seq", 0L);
        var manifest = AddParameter(command, "@manifest", "");
        var payload = AddParameter(command, "@payload", Array.Empty<byte>());
        var created = AddParameter(command, "@created", 0L);
        foreach (var row in rows)
        {
            pid.Value = row.PersistenceId;
            seq.Value = row.SequenceNr;
            manifest.Value = row.Manifest;
            payload.Value = row.Payload;
            created.Value = row.Timestamp;
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Creates or upgrades the schema once per instance: applies the migrations above the stored <c>schema_version</c>.</summary>
    /// <exception cref="InvalidOperationException">The database has a newer schema than this code knows.</exception>
    public async Task EnsureSchemaAsync(CancellationToken cancellationToken = default)
    {
        if (_schemaReady) return;
        await _schemaLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_schemaReady) return;
            await WriteAsync(async (connection, transaction) =>
            {
                if (MigrationLockSql is { } lockSql) await ExecuteAsync(connection, transaction, lockSql, cancellationToken).ConfigureAwait(false);
                await ExecuteAsync(connection, transaction,
                    "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL PRIMARY KEY, description TEXT NOT NULL, applied_at BIGINT NOT NULL)",
                    cancellationToken).ConfigureAwait(false);
                var current = await ReadVersionAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
                if (current > LatestSchemaVersion)
                    throw new InvalidOperationException(
                        $"The database has schema version {current}, newer than this build knows ({LatestSchemaVersion}). Upgrade AkkaRlhf.");
                foreach (var migration in Migrations.Where(m => m.Version > current).OrderBy(m => m.Version))
                {
                    foreach (var statement in migration.Statements)
                        await ExecuteAsync(connection, transaction, statement, cancellationToken).ConfigureAwait(false);
                    await using var record = connection.CreateCommand();
                    record.Transaction = transaction;
                    record.CommandText = "INSERT INTO schema_version (version, description, applied_at) VALUES (@v, @d, @t)";
                    AddParameter(record, "@v", migration.Version);
                    AddParameter(record, "@d", migration.Description);
                    AddParameter(record, "@t", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
                    await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }
                return 0;
            }, cancellationToken).ConfigureAwait(false);
            _schemaReady = true;
        }
        finally { _schemaLock.Release(); }
    }

    /// <summary>The schema version stored in the database (0 before the first migration).</summary>
    public async Task<int> ReadSchemaVersionAsync(CancellationToken cancellationToken = default)
    {
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await OpenReadConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await ReadVersionAsync(connection, null, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public virtual ValueTask DisposeAsync()
    {
        _schemaLock.Dispose();
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }

    /// <summary>Adds a named parameter with a value.</summary>
    internal static DbParameter AddParameter(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
        return parameter;
    }

    private static async Task<int> ReadVersionAsync(DbConnection connection, DbTransaction? transaction, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT COALESCE(MAX(version), 0) FROM schema_version";
        return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task ExecuteAsync(DbConnection connection, DbTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
