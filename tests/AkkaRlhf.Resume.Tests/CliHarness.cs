using System.Diagnostics;
using AkkaRlhf.Persistence;
using AkkaRlhf.Persistence.Runs;
using AkkaRlhf.Persistence.Sql;
using AkkaRlhf.Runtime;
using Xunit.Abstractions;

namespace AkkaRlhf.Resume.Tests;

/// <summary>
/// Runs the CLI (<c>akka-rlhf.dll</c>) as child processes in a temporary folder, reads their run journals, and does the
/// kill-and-resume comparison the durable-stage specs share.
/// </summary>
internal sealed class CliHarness(ITestOutputHelper output) : IDisposable
{
    public string Dir { get; } = Path.Combine(Path.GetTempPath(), "akka-rlhf-kill-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(Dir)) Directory.Delete(Dir, recursive: true);
    }

    private static string Cli
    {
        get
        {
            var beside = Path.Combine(AppContext.BaseDirectory, "akka-rlhf.dll");
            if (File.Exists(beside) && File.Exists(Path.Combine(AppContext.BaseDirectory, "akka-rlhf.runtimeconfig.json"))) return beside;
            var artifacts = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "AkkaRlhf.Hosting", "debug", "akka-rlhf.dll"));
            return File.Exists(artifacts) ? artifacts : throw new FileNotFoundException("akka-rlhf.dll not found beside the tests nor in the artifacts folder");
        }
    }

    public Process Start(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = Dir };
        info.ArgumentList.Add(Cli);
        foreach (var a in args) info.ArgumentList.Add(a);
        var p = Process.Start(info)!;
        p.OutputDataReceived += (_, e) => { };
        p.ErrorDataReceived += (_, e) => { if (e.Data is { } line) output.WriteLine("stderr: " + line); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    public async Task Run(params string[] args)
    {
        using var p = Start(args);
        await p.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(120)).Token);
        Assert.True(p.ExitCode == 0, $"akka-rlhf {string.Join(' ', args)} exited with {p.ExitCode}");
    }

    /// <summary>Creates the folder, writes the demo's synthetic data under <c>data/</c> and <paramref name="hocon"/> as <c>tiny.conf</c>; returns its path.</summary>
    public async Task<string> Prepare(string hocon)
    {
        Directory.CreateDirectory(Dir);
        await Run("demo", "--write-data", Path.Combine(Dir, "data"));
        var config = Path.Combine(Dir, "tiny.conf");
        File.WriteAllText(config, hocon);
        return config;
    }

    /// <summary>The run state of the journal in <paramref name="runDir"/>.</summary>
    public static async Task<RunState?> Journal(string runDir, string runId)
    {
        var system = ActorSystem.Create("journal-reader", ActorSystemSettings.Default.WithStdoutLogging(false));
        try
        {
            PersistenceExtension.Configure(system, new PersistenceSettings
            {
                Provider = PersistenceProvider.Sqlite, Sqlite = new SqliteOptions(Path.Combine(runDir, "journal.db")) { BusyTimeout = TimeSpan.FromSeconds(20) },
            });
            return await RunCatalog.For(system).ShowAsync(runId);
        }
        finally { await system.Terminate(); }
    }

    /// <summary>Each iteration's latest record, in order.</summary>
    public static List<IterationCompleted> Stream(RunState state) =>
        state.Iterations.GroupBy(i => i.Iteration).Select(g => g.Last()).OrderBy(i => i.Iteration).ToList();

    /// <summary>
    /// Runs <c>train STAGE</c> (<paramref name="train"/> ends with <c>--out</c>) uninterrupted into <c>full/</c>, then into
    /// <c>killed/</c> until its journal shows two completed iterations, SIGKILLs it, finishes it with
    /// <c>train STAGE --resume</c>, and asserts that the resumed journal's metric stream equals the uninterrupted one
    /// value by value (timings t_* aside).
    /// </summary>
    public async Task KillResumeAndCompare(string stage, string[] train, int iterations)
    {
        await Run([.. train, "full"]);
        var full = Stream((await Journal(Path.Combine(Dir, "full"), "full." + stage))!);
        Assert.Equal(Enumerable.Range(1, iterations).Select(i => (long)i), full.Select(i => i.Iteration));

        var killedDir = Path.Combine(Dir, "killed");
        var killedId = "killed." + stage;
        RunState? seen = null;
        using (var child = Start([.. train, "killed"]))
        {
            var clock = Stopwatch.StartNew();
            while (seen is not { Iterations.Count: >= 2 })
            {
                Assert.False(child.HasExited, "the run ended before it could be killed");
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(90), "no two iterations in the journal after 90 s");
                await Task.Delay(100);
                if (!File.Exists(Path.Combine(killedDir, "journal.db"))) continue;
                try { seen = await Journal(killedDir, killedId); }
                catch (Exception e) { output.WriteLine($"journal not readable yet ({e.GetType().Name}: {e.Message}); polling again"); }
            }
            child.Kill(entireProcessTree: true);                                        // SIGKILL: no shutdown, no flush
            await child.WaitForExitAsync();
        }
        var killed = (await Journal(killedDir, killedId))!;
        output.WriteLine($"killed after {killed.Iterations.Count} journaled iterations (status {killed.Status}), checkpoints {string.Join(", ", killed.Checkpoints.Select(c => c.Step))}");
        Assert.Equal(RunStatus.Running, killed.Status);
        Assert.True(killed.Iterations.Count < iterations, "killed too late");

        await Run("train", stage, "--resume", killedDir);
        var resumed = (await Journal(killedDir, killedId))!;
        Assert.Equal(RunStatus.Completed, resumed.Status);
        var stream = Stream(resumed);
        Assert.Equal(full.Select(i => i.Iteration), stream.Select(i => i.Iteration));         // none skipped, none twice
        var compared = 0;
        foreach (var (a, b) in full.Zip(stream))
        {
            Assert.Equal(a.PolicyVersion, b.PolicyVersion);
            var keys = a.Metrics.Keys.Where(k => !k.StartsWith("t_", StringComparison.Ordinal)).Order().ToList();
            Assert.Equal(keys, b.Metrics.Keys.Where(k => !k.StartsWith("t_", StringComparison.Ordinal)).Order());
            foreach (var k in keys)
            {
                Assert.True(a.Metrics[k].Equals(b.Metrics[k]), $"iteration {a.Iteration} {k}: {a.Metrics[k]:R} uninterrupted vs {b.Metrics[k]:R} resumed");
                compared++;
            }
        }
        Assert.True(compared > 0, "no metric values to compare");
        var rerun = resumed.Iterations.Count - killed.Iterations.Count;
        output.WriteLine($"resumed: {rerun} iterations journaled after the kill; {compared} metric values identical over {stream.Count} iterations");
    }
}
