using AkkaRlhf.Persistence.Sql;
using AkkaRlhf.Persistence.Tests.Support;
using Microsoft.Data.Sqlite;

namespace AkkaRlhf.Persistence.Tests.Tck;

public sealed class SqliteSchemaSpec : IDisposable
{
    private readonly string _path = TestSystems.NewSqlitePath();

    public void Dispose() => TestSystems.DeleteSqlite(_path);

    [Fact]
    public async Task SqliteDatabase_must_create_the_schema_on_first_use_and_record_version_1()
    {
        await using var database = new SqliteDatabase(_path);
        Assert.Equal(1, await database.ReadSchemaVersionAsync());
        Assert.Equal(1, await ScalarAsync("SELECT COUNT(*) FROM schema_version"));
        Assert.Equal(0, await ScalarAsync("SELECT COUNT(*) FROM journal"));
        Assert.Equal(0, await ScalarAsync("SELECT COUNT(*) FROM snapshot"));
        Assert.Equal("wal", await TextAsync("PRAGMA journal_mode"));
    }

    [Fact]
    public async Task SqliteDatabase_must_not_apply_a_migration_twice()
    {
        await using (var first = new SqliteDatabase(_path)) await first.EnsureSchemaAsync();
        await using (var second = new SqliteDatabase(_path)) Assert.Equal(1, await second.ReadSchemaVersionAsync());
        Assert.Equal(1, await ScalarAsync("SELECT COUNT(*) FROM schema_version"));
    }

    [Fact]
    public async Task SqliteDatabase_must_refuse_a_database_with_a_newer_schema()
    {
        await using (var first = new SqliteDatabase(_path)) await first.EnsureSchemaAsync();
        await ScalarAsync("INSERT INTO schema_version (version, description, applied_at) VALUES (99, 'future', 0)");
        await using var second = new SqliteDatabase(_path);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => second.EnsureSchemaAsync());
        Assert.Contains("schema version 99", error.Message, StringComparison.Ordinal);
    }

    private async Task<long> ScalarAsync(string sql) => Convert.ToInt64(await ExecuteAsync(sql) ?? 0L, System.Globalization.CultureInfo.InvariantCulture);

    private async Task<string?> TextAsync(string sql) => (string?)await ExecuteAsync(sql);

    private async Task<object?> ExecuteAsync(string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={_path};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync();
    }
}

[RequiresPostgreSql]
[Collection(PostgreSqlCollection.Name)]
public sealed class PostgreSqlSchemaSpec(PostgreSqlServer server)
{
    [StoreFact]
    public async Task PostgreSqlDatabase_must_create_the_schema_once_even_when_two_instances_migrate_together()
    {
        await using var first = new PostgreSqlDatabase(server.ConnectionString);
        await using var second = new PostgreSqlDatabase(server.ConnectionString);
        await Task.WhenAll(first.EnsureSchemaAsync(), second.EnsureSchemaAsync());
        Assert.Equal(1, await first.ReadSchemaVersionAsync());
        Assert.Equal(1, await second.ReadSchemaVersionAsync());
    }
}
