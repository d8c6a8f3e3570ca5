using System.Collections.Concurrent;
using System.Diagnostics;

namespace AkkaRlhf.Cluster.Tests.Support;

/// <summary>
/// The CLI in its own process (<c>dotnet akka-rlhf.dll ...</c>, built beside the specs): a cluster member or a command.
/// Its standard output is kept line by line; <see cref="Kill"/> is SIGKILL; dispose kills it if it still runs.
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

    /// <summary>The process's name in the spec's output.</summary>
    public string Hostname { get; }

    /// <summary>The process has ended.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>Every line printed so far.</summary>
    public IReadOnlyCollection<string> Lines => _lines;

    /// <summary>
    /// Starts the CLI, <c>dotnet akka-rlhf.dll ARGS</c> (built beside the specs), in <paramref name="workDir"/>. With
    /// <paramref name="readyPrefix"/> it waits (at most 60 s) for a line that starts with it.
    /// </summary>
    public static async Task<NodeProcess> StartCliAsync(string name, string workDir, string? readyPrefix, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false, WorkingDirectory = workDir };
        foreach (var a in new[] { Cli }.Concat(args)) start.ArgumentList.Add(a);
        var node = new NodeProcess(Process.Start(start) ?? throw new InvalidOperationException("Could not start akka-rlhf."), name);
        if (readyPrefix is null) return node;
        try
        {
            await node.WaitForLineAsync(l => l.StartsWith(readyPrefix, StringComparison.Ordinal), TimeSpan.FromSeconds(60));
            return node;
        }
        catch
        {
            node.Dispose();
            throw;
        }
    }

    /// <summary>The CLI's entry assembly, copied beside the specs (Hosting is a project reference).</summary>
    private static string Cli =>
        Path.Combine(AppContext.BaseDirectory, "akka-rlhf.dll") is var dll && File.Exists(dll) && File.Exists(Path.ChangeExtension(dll, ".runtimeconfig.json"))
            ? dll : throw new FileNotFoundException($"akka-rlhf.dll (with its runtimeconfig.json) not found in {AppContext.BaseDirectory}");

    /// <summary>Waits until the process exits (at most <paramref name="timeout"/>) and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        try { await _process.WaitForExitAsync().WaitAsync(timeout); }
        catch (TimeoutException) { throw new TimeoutException($"{Hostname} still runs after {timeout.TotalSeconds} s. Output:\n{string.Join('\n', _lines.TakeLast(40))}"); }
        _process.WaitForExit();                                                         // drains the output readers
        return _process.ExitCode;
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

    /// <summary>Sends <paramref name="signal"/> to the process (kill(2)).</summary>
    public void Signal(int signal)
    {
        if (SendSignal(_process.Id, signal) != 0) throw new InvalidOperationException($"kill({_process.Id}, {signal}) failed: errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()}");
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);

    /// <summary>kill -9.</summary>
    public void Kill()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.WaitForExit(10_000);
    }

    /// <summary>SIGTERM, which makes a member leave the cluster gracefully and exit; kills it if it has not within 15 s.</summary>
    public async Task StopAsync()
    {
        if (_process.HasExited) return;
        Signal(15);
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
