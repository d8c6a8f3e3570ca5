using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace AkkaRlhf.Cluster.TestNode;

/// <summary>
/// A private rabbitmq-server on free loopback ports, with its data, logs and config in a temporary
/// folder (its own Erlang port mapper port, so parallel runs cannot collide). Started by the specs,
/// stopped (and its folder deleted) on dispose; <see cref="RestartAsync"/> stops and starts it on the
/// same ports and data (durable queues and persistent messages survive).
/// </summary>
public sealed class RabbitMqBroker : IAsyncDisposable
{
    private static readonly string BinDir = Directory.Exists("/usr/lib/rabbitmq/bin") ? "/usr/lib/rabbitmq/bin" : "";
    private readonly string _dir;
    private readonly Dictionary<string, string> _env;
    private Process? _server;

    private RabbitMqBroker()
    {
        _dir = Directory.CreateTempSubdirectory("akka-rlhf-rabbitmq-").FullName;
        Port = FreePort();
        Directory.CreateDirectory(Path.Combine(_dir, "mnesia"));
        Directory.CreateDirectory(Path.Combine(_dir, "log"));
        File.WriteAllText(Path.Combine(_dir, "enabled_plugins"), "[].\n");
        File.WriteAllText(Path.Combine(_dir, "rabbitmq.conf"), "loopback_users.guest = true\n");
        _env = new()
        {
            ["HOME"] = _dir,
            ["RABBITMQ_NODENAME"] = $"rabbit-{Port}@localhost",
            ["RABBITMQ_NODE_IP_ADDRESS"] = "127.0.0.1",
            ["RABBITMQ_NODE_PORT"] = Port.ToString(),
            ["RABBITMQ_DIST_PORT"] = FreePort().ToString(),
            ["ERL_EPMD_PORT"] = FreePort().ToString(),
            ["RABBITMQ_MNESIA_BASE"] = Path.Combine(_dir, "mnesia"),
            ["RABBITMQ_LOG_BASE"] = Path.Combine(_dir, "log"),
            ["RABBITMQ_CONFIG_FILE"] = Path.Combine(_dir, "rabbitmq.conf"),
            ["RABBITMQ_ENABLED_PLUGINS_FILE"] = Path.Combine(_dir, "enabled_plugins"),
        };
    }

    /// <summary>Why the broker specs cannot run here, or null when rabbitmq-server is installed.</summary>
    public static string? MissingReason =>
        Environment.GetEnvironmentVariable("AKKA_RLHF_TEST_NO_RABBITMQ") == "1"
            ? "AKKA_RLHF_TEST_NO_RABBITMQ=1"
            : File.Exists(Tool("rabbitmq-server")) ? null : "rabbitmq-server is not installed (scripts/test-services.sh installs it)";

    /// <summary>The AMQP port on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>Starts a broker and waits (at most 60 s) until it answers.</summary>
    public static async Task<RabbitMqBroker> StartAsync()
    {
        var broker = new RabbitMqBroker();
        try
        {
            await broker.StartServerAsync();
            return broker;
        }
        catch
        {
            await broker.DisposeAsync();
            throw;
        }
    }

    /// <summary>Stops the broker (as a crash would: SIGKILL) and starts it again on the same ports and data.</summary>
    public async Task RestartAsync()
    {
        KillServer();
        await StartServerAsync();
    }

    /// <summary>Stops the broker abruptly (SIGKILL of the Erlang VM).</summary>
    public void KillServer()
    {
        if (_server is null) return;
        try { _server.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        _server.WaitForExit(10_000);
        _server.Dispose();
        _server = null;
    }

    private async Task StartServerAsync()
    {
        var start = new ProcessStartInfo(Tool("rabbitmq-server")) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = _dir };
        foreach (var (k, v) in _env) start.Environment[k] = v;
        _server = Process.Start(start) ?? throw new InvalidOperationException("Could not start rabbitmq-server.");
        _server.OutputDataReceived += (_, _) => { };
        _server.ErrorDataReceived += (_, _) => { };
        _server.BeginOutputReadLine();
        _server.BeginErrorReadLine();
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (_server.HasExited) break;
            if (await RunToolAsync("rabbitmq-diagnostics", "-q ping") == 0 && await CanConnectAsync()) return;
            await Task.Delay(300);
        }
        var log = Directory.GetFiles(Path.Combine(_dir, "log"), "*.log").Select(File.ReadAllText).LastOrDefault() ?? "";
        throw new InvalidOperationException($"rabbitmq-server did not answer on port {Port} within 60 s. Log tail:\n{log[Math.Max(0, log.Length - 2000)..]}");
    }

    // Ready means an AMQP handshake completes, not only an open TCP port: the listener accepts
    // connections a while before the broker answers connection.start.
    private async Task<bool> CanConnectAsync()
    {
        var factory = new RabbitMQ.Client.ConnectionFactory
        {
            HostName = "127.0.0.1",
            Port = Port,
            RequestedConnectionTimeout = TimeSpan.FromSeconds(10),
            HandshakeContinuationTimeout = TimeSpan.FromSeconds(10),
        };
        try
        {
            await using var connection = await factory.CreateConnectionAsync();
            await connection.CloseAsync(200, "ready check", TimeSpan.FromSeconds(5), false, CancellationToken.None);
            return true;
        }
        catch (Exception e) when (e is RabbitMQ.Client.Exceptions.BrokerUnreachableException or IOException or SocketException
                                      or TimeoutException or OperationCanceledException or RabbitMQ.Client.Exceptions.OperationInterruptedException)
        {
            return false;
        }
    }

    private async Task<int> RunToolAsync(string tool, string arguments)
    {
        var start = new ProcessStartInfo(Tool(tool), arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (k, v) in _env) start.Environment[k] = v;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        try { await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30)); }
        catch (TimeoutException) { process.Kill(entireProcessTree: true); return -1; }
        await Task.WhenAll(output, error);
        return process.ExitCode;
    }

    private static string Tool(string name) => BinDir.Length > 0 ? Path.Combine(BinDir, name) : Path.Combine("/usr/sbin", name);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>
    /// `epmd -kill` refuses while a name is still registered (a CLI tool's, racing the shutdown): kill the
    /// port mapper that this broker's environment started, found by its ERL_EPMD_PORT (Linux /proc).
    /// </summary>
    private void KillOwnEpmd()
    {
        var marker = "ERL_EPMD_PORT=" + _env["ERL_EPMD_PORT"];
        foreach (var dir in Directory.Exists("/proc") ? Directory.GetDirectories("/proc") : [])
        {
            try
            {
                if (!int.TryParse(Path.GetFileName(dir), out var pid) || File.ReadAllText(Path.Combine(dir, "comm")).Trim() != "epmd") continue;
                if (!File.ReadAllText(Path.Combine(dir, "environ")).Split('\0').Contains(marker)) continue;
                using var process = Process.GetProcessById(pid);
                process.Kill();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException) { }
        }
    }

    /// <summary>Kills the broker and its Erlang port mapper and deletes the folder.</summary>
    public async ValueTask DisposeAsync()
    {
        KillServer();
        var epmd = new ProcessStartInfo("epmd", "-kill") { RedirectStandardOutput = true, RedirectStandardError = true };
        epmd.Environment["ERL_EPMD_PORT"] = _env["ERL_EPMD_PORT"];
        try
        {
            using var p = Process.Start(epmd);
            if (p is not null) await p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or TimeoutException) { }
        KillOwnEpmd();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
