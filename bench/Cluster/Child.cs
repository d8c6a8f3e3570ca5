using System.Collections.Concurrent;
using System.Diagnostics;

namespace AkkaRlhf.Bench.Cluster;

/// <summary>
/// A process the bench starts (this bench in a member mode, or the CLI): its output lines with the time each arrived
/// (<see cref="Stopwatch"/> ticks), killed on dispose.
/// </summary>
internal sealed class Child : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<(long At, string Line)> _lines = new();

    private Child(string name, Process process)
    {
        (Name, _process) = (name, process);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) _lines.Enqueue((Stopwatch.GetTimestamp(), e.Data)); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) _lines.Enqueue((Stopwatch.GetTimestamp(), "stderr " + e.Data)); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Name { get; }

    public IEnumerable<(long At, string Line)> Lines => _lines;

    /// <summary>This bench (<paramref name="dll"/> null) or the CLI beside it (<c>akka-rlhf.dll</c>) with <paramref name="args"/>, in <paramref name="workDir"/>.</summary>
    public static Child Start(string name, string? dll, string workDir, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = workDir };
        start.ArgumentList.Add(dll is null ? typeof(Child).Assembly.Location : Path.Combine(AppContext.BaseDirectory, dll));
        foreach (var a in args) start.ArgumentList.Add(a);
        return new Child(name, Process.Start(start) ?? throw new InvalidOperationException($"could not start {name}"));
    }

    /// <summary>The first line matching <paramref name="match"/> with its arrival time; fails with the output after <paramref name="timeout"/>.</summary>
    public async Task<(long At, string Line)> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            foreach (var l in _lines) if (match(l.Line)) return l;
            if (clock.Elapsed > timeout || _process.HasExited && clock.Elapsed > TimeSpan.FromSeconds(1))
                throw new TimeoutException($"{Name} (exited: {_process.HasExited}) printed no expected line within {timeout.TotalSeconds} s:\n" +
                    string.Join('\n', _lines.TakeLast(30).Select(l => l.Line)));
            await Task.Delay(1);
        }
    }

    /// <summary>Waits for the process to end (at most <paramref name="timeout"/>); fails unless it exits 0.</summary>
    public async Task ExitedAsync(TimeSpan timeout)
    {
        await _process.WaitForExitAsync().WaitAsync(timeout);
        _process.WaitForExit();
        if (_process.ExitCode != 0)
            throw new InvalidOperationException($"{Name} exited with {_process.ExitCode}:\n{string.Join('\n', _lines.TakeLast(30).Select(l => l.Line))}");
    }

    public void Dispose()
    {
        try { if (!_process.HasExited) _process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        _process.WaitForExit(10_000);
        _process.Dispose();
    }
}
