using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace AkkaRlhf.Persistence.Tests.Support;

/// <summary>
/// A real PostgreSQL server for the specs: initdb into a temporary folder, pg_ctl start on a free loopback port
/// (Unix socket in the same folder), one database; stopped and deleted at the end. As root it runs the server
/// programs as the <c>postgres</c> user (PostgreSQL refuses to run as root). Missing binaries make the specs
/// that need it SKIPPED (see <see cref="SkipReason"/>), never silently pass.
/// </summary>
public sealed class PostgreSqlServer : IAsyncLifetime
{
    private string? _folder;
    private string? _data;

    /// <summary>The bin folder of the newest installed PostgreSQL, or null.</summary>
    public static string? BinDirectory { get; } = FindBin();

    /// <summary>Why PostgreSQL specs cannot run here, or null when they can.</summary>
    public static string? SkipReason =>
        Environment.GetEnvironmentVariable("AKKA_RLHF_TEST_NO_POSTGRES") == "1"
            ? "PostgreSQL specs disabled by AKKA_RLHF_TEST_NO_POSTGRES=1"
            : BinDirectory is null
                ? "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb); run scripts/test-services.sh to install it"
                : null;

    /// <summary>The connection string of the test database (trust authentication on loopback: no password).</summary>
    public string ConnectionString { get; private set; } = "";

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        if (SkipReason is not null || BinDirectory is null) return;
        _folder = Directory.CreateTempSubdirectory("akka-rlhf-pg-").FullName;
        _data = Path.Combine(_folder, "data");
        var asRoot = Environment.UserName == "root";
        if (asRoot) await RunAsync("chown", ["-R", "postgres:postgres", _folder], asPostgres: false);
        await RunAsync(Path.Combine(BinDirectory, "initdb"), ["-D", _data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync"], asRoot);
        var port = FreePort();
        await RunAsync(Path.Combine(BinDirectory, "pg_ctl"),
        [
            "-D", _data, "-l", Path.Combine(_folder, "server.log"), "-w", "-t", "30",
            "-o", $"-p {port} -k {_folder} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off",
            "start",
        ], asRoot);
        var admin = $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Pooling=false";
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand("CREATE DATABASE akka_rlhf_test", connection);
            await create.ExecuteNonQueryAsync();
        }
        ConnectionString = $"Host=127.0.0.1;Port={port};Username=postgres;Database=akka_rlhf_test";
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (_folder is null || BinDirectory is null) return;
        NpgsqlConnection.ClearAllPools();
        try
        {
            await RunAsync(Path.Combine(BinDirectory, "pg_ctl"), ["-D", _data!, "-m", "immediate", "-w", "stop"], Environment.UserName == "root");
        }
        finally
        {
            try { Directory.Delete(_folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private static string? FindBin() =>
        Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(d => Path.Combine(d, "bin"))
                .Where(b => File.Exists(Path.Combine(b, "initdb")) && File.Exists(Path.Combine(b, "pg_ctl")))
                .OrderByDescending(b => int.TryParse(Path.GetFileName(Path.GetDirectoryName(b)), out var v) ? v : 0)
                .FirstOrDefault()
            : null;

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task RunAsync(string program, IReadOnlyList<string> arguments, bool asPostgres)
    {
        var start = new ProcessStartInfo(asPostgres ? "runuser" : program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = "/tmp",
        };
        if (asPostgres) foreach (var a in new[] { "-u", "postgres", "--", program }) start.ArgumentList.Add(a);
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {program}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited with {process.ExitCode}: {await error}{await output}");
    }
}

/// <summary>The specs that share one <see cref="PostgreSqlServer"/> (run one class after another).</summary>
[CollectionDefinition(Name)]
public sealed class PostgreSqlCollection : ICollectionFixture<PostgreSqlServer>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "PostgreSQL";
}
