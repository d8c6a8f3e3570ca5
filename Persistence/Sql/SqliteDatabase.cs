using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace AkkaRlhf.Persistence.Sql;

/// <summary>
/// The embedded default: one SQLite file in WAL mode (readers never block the writer), a busy timeout,
/// and a single writer — every write goes through one connection guarded by a semaphore, so writers never
/// fight over the file lock. Readers use pooled connections.
/// </summary>
public sealed class SqliteDatabase : SqlDatabase
{
    private readonly string _connectionString;
    private readonly SqliteOptions _options;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private SqliteConnection? _writer;

    /// <summary>Opens (creating if needed) the database file described by <paramref name="options"/>.</summary>
    public SqliteDatabase(SqliteOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Path);
        _options = options;
        var folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(options.Path));
        if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = options.Path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = (int)Math.Ceiling(options.BusyTimeout.TotalSeconds),
        }.ToString();
    }

    /// <summary>A database at <paramref name="path"/> with the default options.</summary>
    public SqliteDatabase(string path) : this(new SqliteOptions(path)) { }

    /// <summary>The database file.</summary>
    public string Path => _options.Path;

    /// <inheritdoc />
    protected internal override IReadOnlyList<Migration> Migrations { get; } =
    [
        new(1, "journal and snapshot tables",
        [
            """
            CREATE TABLE journal (
                persistence_id TEXT NOT NULL,
                sequence_nr INTEGER NOT NULL,
                manifest TEXT NOT NULL,
                payload BLOB NOT NULL,
                created_at INTEGER NOT NULL,
                deleted INTEGER NOT NULL DEFAULT 0,
                PRIMARY KEY (persistence_id, sequence_nr)
            ) WITHOUT ROWID
            """,
            """
            CREATE TABLE snapshot (
                persistence_id TEXT NOT NULL,
                sequence_nr INTEGER NOT NULL,
                created_at INTEGER NOT NULL,
                manifest TEXT NOT NULL,
                payload BLOB NOT NULL,
                PRIMARY KEY (persistence_id, sequence_nr)
            )
            """,
        ]),
    ];

    /// <inheritdoc />
    protected internal override async Task<DbConnection> OpenReadConnectionAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await PragmaAsync(connection, $"PRAGMA busy_timeout = {(long)_options.BusyTimeout.TotalMilliseconds}", cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <inheritdoc />
    protected internal override async Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var connection = _writer ??= await OpenWriterAsync(cancellationToken).ConfigureAwait(false);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            var result = await work(connection, transaction).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return result;
        }
        finally { _writeLock.Release(); }
    }

    /// <inheritdoc />
    public override async ValueTask DisposeAsync()
    {
        await _writeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_writer is not null) await _writer.DisposeAsync().ConfigureAwait(false);
            _writer = null;
        }
        finally { _writeLock.Release(); }
        await base.DisposeAsync().ConfigureAwait(false);
    }

    private async Task<SqliteConnection> OpenWriterAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await PragmaAsync(connection, $"PRAGMA busy_timeout = {(long)_options.BusyTimeout.TotalMilliseconds}", cancellationToken).ConfigureAwait(false);
        await PragmaAsync(connection, "PRAGMA journal_mode = WAL", cancellationToken).ConfigureAwait(false);
        await PragmaAsync(connection, $"PRAGMA synchronous = {(_options.SynchronousFull ? "FULL" : "NORMAL")}", cancellationToken).ConfigureAwait(false);
        return connection;
    }

    private static async Task PragmaAsync(SqliteConnection connection, string pragma, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = pragma; // constant text and numbers only: no user input
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
