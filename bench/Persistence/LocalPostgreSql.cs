using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace AkkaRlhf.Persistence.Bench;

/// <summary>A throw-away PostgreSQL server (initdb + pg_ctl on a free loopback port, default durability settings).</summary>
internal sealed class LocalPostgreSql : IAsyncDisposable
{
    private readonly string _bin;
    private readonly string _folder;
    private readonly bool _asRoot = Environment.UserName == "root";

    private LocalPostgreSql(string bin, string folder, string connectionString)
    {
        _bin = bin;
        _folder = folder;
        ConnectionString = connectionString;
    }

    public string ConnectionString { get; }

    public static async Task<LocalPostgreSql?> StartAsync()
    {
        var bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).FirstOrDefault(b => File.Exists(Path.Combine(b, "initdb")))
            : null;
        if (bin is null) return null;
        var folder = Directory.CreateTempSubdirectory("akka-rlhf-bench-pg-").FullName;
        var asRoot = Environment.UserName == "root";
        if (asRoot) await RunAsync("chown", ["-R", "postgres:postgres", folder], false);
        var data = Path.Combine(folder, "data");
        await RunAsync(Path.Combine(bin, "initdb"), ["-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8"], asRoot);
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        await RunAsync(Path.Combine(bin, "pg_ctl"),
            ["-D", data, "-l", Path.Combine(folder, "server.log"), "-w", "-o", $"-p {port} -k {folder} -c listen_addresses=127.0.0.1", "start"], asRoot);
        await using (var connection = new NpgsqlConnection($"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Pooling=false"))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand("CREATE DATABASE bench", connection);
            await create.ExecuteNonQueryAsync();
        }
        return new LocalPostgreSql(bin, folder, $"Host=127.0.0.1;Port={port};Username=postgres;Database=bench");
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await RunAsync(Path.Combine(_bin, "pg_ctl"), ["-D", Path.Combine(_folder, "data"), "-m", "immediate", "-w", "stop"], _asRoot);
        Directory.Delete(_folder, recursive: true);
    }

    private static async Task RunAsync(string program, IReadOnlyList<string> arguments, bool asPostgres)
    {
        var start = new ProcessStartInfo(asPostgres ? "runuser" : program) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = "/tmp" };
        if (asPostgres) foreach (var a in new[] { "-u", "postgres", "--", program }) start.ArgumentList.Add(a);
        foreach (var a in arguments) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{program} failed: {await error}");
    }
}
