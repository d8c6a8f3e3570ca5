using System.Data.Common;
using Npgsql;

namespace AkkaRlhf.Persistence.Sql;

/// <summary>
/// A PostgreSQL database reached through Npgsql's pooled data source. The connection string comes from
/// configuration or the environment (see <c>PersistenceSettings</c>); never put credentials in code.
/// Journal rows of one call go to the server in a single batch round trip.
/// </summary>
public sealed class PostgreSqlDatabase : SqlDatabase
{
    private readonly NpgsqlDataSource _dataSource;

    /// <summary>Connects with <paramref name="connectionString"/> (Npgsql format: <c>Host=...;Port=...;Database=...;Username=...</c>).</summary>
    public PostgreSqlDatabase(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        _dataSource = NpgsqlDataSource.Create(connectionString);
    }

    /// <inheritdoc />
    protected internal override IReadOnlyList<Migration> Migrations { get; } =
    [
        new(1, "journal and snapshot tables",
        [
            """
            CREATE TABLE journal (
                persistence_id TEXT NOT NULL,
                sequence_nr BIGINT NOT NULL,
                manifest TEXT NOT NULL,
                payload BYTEA NOT NULL,
                created_at BIGINT NOT NULL,
                deleted SMALLINT NOT NULL DEFAULT 0,
                PRIMARY KEY (persistence_id, sequence_nr)
            )
            """,
            """
            CREATE TABLE snapshot (
                persistence_id TEXT NOT NULL,
                sequence_nr BIGINT NOT NULL,
                created_at BIGINT NOT NULL,
                manifest TEXT NOT NULL,
                payload BYTEA NOT NULL,
                PRIMARY KEY (persistence_id, sequence_nr)
            )
            """,
        ]),
    ];

    /// <inheritdoc />
    protected override string? MigrationLockSql => "SELECT pg_advisory_xact_lock(74616361)"; // one migrator at a time across processes

    /// <inheritdoc />
    protected internal override async Task<DbConnection> OpenReadConnectionAsync(CancellationToken cancellationToken) =>
        await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    protected internal override async Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var result = await work(connection, transaction).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <inheritdoc />
    internal override async Task InsertEventsAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<JournalRow> rows, CancellationToken cancellationToken)
    {
        const int chunk = 1000;
        for (var start = 0; start < rows.Count; start += chunk)
        {
            await using var batch = new NpgsqlBatch((NpgsqlConnection)connection, (NpgsqlTransaction)transaction);
            for (var i = start; i < Math.Min(rows.Count, start + chunk); i++)
            {
                var row = rows[i];
                var command = new NpgsqlBatchCommand(
                    "INSERT INTO journal (persistence_id, sequence_nr, manifest, payload, created_at) VALUES ($1, $2, $3, $4, $5)");
                command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = row.PersistenceId });
                command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = row.SequenceNr });
                command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = row.Manifest });
                command.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = row.Payload });
                command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = row.Timestamp });
                batch.BatchCommands.Add(command);
            }
            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public override async ValueTask DisposeAsync()
    {
        await _dataSource.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }
}
