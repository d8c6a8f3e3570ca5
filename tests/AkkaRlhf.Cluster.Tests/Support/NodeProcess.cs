using System.Collections.Concurrent;
using System.Diagnostics;
using AkkaRlhf.Cluster.TestNode;

namespace AkkaRlhf.Cluster.Tests.Support;

/// <summary>
/// A cluster member in its own process (<c>dotnet AkkaRlhf.Cluster.TestNode.dll</c>, built beside the
/// specs). Its standard output is kept line by line; <see cref="Kill"/> is SIGKILL; dispose kills it
/// if it still runs.
/// </summary>
public sealed class NodeProcess : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly SemaphoreSlim _newLine = new(0);

    private NodeProcess(Process process, string hostname)
    {
        _process = process;
        Hostname = hostname;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { _lines.Enqueue(e.Data); _newLine.Release(); } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { _lines.Enqueue("stderr " + e.Data); _newLine.Release(); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>The node's hostname (also its name in <see cref="WorkDone.Node"/>).</summary>
    public string Hostname { get; }

    /// <summary>Every line printed so far.</summary>
    public IReadOnlyCollection<string> Lines => _lines;

    /// <summary>Starts a node serving <paramref name="roles"/> and waits (at most 60 s) until it has joined.</summary>
    public static async Task<NodeProcess> StartAsync(int brokerPort, string hostname, string roles = "worker", params string[] extra)
    {
        var dll = Path.ChangeExtension(typeof(Worker).Assembly.Location, ".dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var a in new[] { dll, "--broker-port", brokerPort.ToString(), "--hostname", hostname, "--roles", roles }.Concat(extra)) start.ArgumentList.Add(a);
        var node = new NodeProcess(Process.Start(start) ?? throw new InvalidOperationException("Could not start the test node."), hostname);
        try
        {
            await node.WaitForLineAsync(l => l.StartsWith("ready ", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
            return node;
        }
        catch
        {
            node.Dispose();
            throw;
        }
    }

    /// <summary>Waits for a line matching <paramref name="match"/> (already printed or new).</summary>
    /// <exception cref="TimeoutException">None within <paramref name="timeout"/> (the message has the output).</exception>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var line = _lines.FirstOrDefault(match);
            if (line is not null) return line;
            var left = timeout - clock.Elapsed;
            if (left <= TimeSpan.Zero || _process.HasExited && !await _newLine.WaitAsync(200))
                throw new TimeoutException($"Node {Hostname} (exited: {_process.HasExited}) printed no matching line within {timeout.TotalSeconds} s. Output:\n{string.Join('\n', _lines.TakeLast(40))}");
            await _newLine.WaitAsync(left < TimeSpan.FromMilliseconds(200) ? left : TimeSpan.FromMilliseconds(200));
        }
    }

    /// <summary>kill -9.</summary>
    public void Kill()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.WaitForExit(10_000);
    }

    /// <summary>Closes its stdin, which makes it leave the cluster gracefully and exit; kills it if it has not within 15 s.</summary>
    public async Task StopAsync()
    {
        if (_process.HasExited) return;
        _process.StandardInput.Close();
        try { await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(15)); }
        catch (TimeoutException) { Kill(); }
    }

    /// <summary>Kills the process if it still runs.</summary>
    public void Dispose()
    {
        try { Kill(); } catch (InvalidOperationException) { }
        _process.Dispose();
    }
}
