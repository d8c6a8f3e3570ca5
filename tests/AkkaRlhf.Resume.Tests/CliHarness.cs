using System.Diagnostics;
using AkkaRlhf.Persistence;
using AkkaRlhf.Persistence.Runs;
using Akka.Actor;
using Xunit.Abstractions;

namespace AkkaRlhf.Resume.Tests;

/// <summary>
/// Runs the CLI (<c>akka-rlhf.dll</c>) as child processes in a temporary folder, reads their run journals, and does the
/// kill-and-resume comparison the durable-stage specs share.
/// </summary>
/// <param name="postgreSql">When set, every run journals to this PostgreSQL database (given through the environment,
/// as a user would) instead of the run folder's SQLite file.</param>
internal sealed class CliHarness(ITestOutputHelper output, string? postgreSql = null) : IDisposable
{
    public string Dir { get; } = Path.Combine(Path.GetTempPath(), "akka-rlhf-kill-" + Guid.NewGuid().ToString("N"));

    /// <summary>Makes run folder names (and so run ids) unique in a database that several specs share.</summary>
    private readonly string _token = Guid.NewGuid().ToString("N")[..6];

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

    public Process Start(params string[] args) => Start(null, args);

    /// <summary>Starts the CLI; its standard output lines go into <paramref name="stdout"/> when given.</summary>
    public Process Start(List<string>? stdout, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = Dir };
        info.ArgumentList.Add(Cli);
        foreach (var a in args) info.ArgumentList.Add(a);
        if (postgreSql is not null)
        {
            info.Environment["AKKA_RLHF__akka-rlhf__persistence__provider"] = "postgresql";
            info.Environment["AKKA_RLHF_POSTGRES_CONNECTION"] = postgreSql;
        }
        var p = Process.Start(info)!;
        p.OutputDataReceived += (_, e) => { if (e.Data is { } line && stdout is not null) lock (stdout) stdout.Add(line); };
        p.ErrorDataReceived += (_, e) => { if (e.Data is { } line) output.WriteLine("stderr: " + line); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    public async Task Run(params string[] args) => await Output(args);

    /// <summary>Runs the CLI to its end (at most 120 s), asserts exit code 0 and returns its standard output lines.</summary>
    public async Task<List<string>> Output(params string[] args)
    {
        var stdout = new List<string>();
        using var p = Start(stdout, args);
        await p.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(120)).Token);
        Assert.True(p.ExitCode == 0, $"akka-rlhf {string.Join(' ', args)} exited with {p.ExitCode}");
        p.WaitForExit();                                                                   // the output is read to its end
        lock (stdout) return [.. stdout];
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

    /// <summary>The run state of <paramref name="runId"/> in the journal of <paramref name="runDir"/> (or the PostgreSQL database).</summary>
    public async Task<RunState?> Journal(string runDir, string runId)
    {
        var journal = new PersistenceSettings(postgreSql is null ? PersistenceProvider.Sqlite : PersistenceProvider.PostgreSql,
            Path.Combine(runDir, "journal.db"), postgreSql ?? "", 0);
        var system = ActorSystem.Create("journal-reader", journal.ToAkkaConfig().WithFallback("akka.loglevel = WARNING\nakka.stdout-loglevel = WARNING"));
        try { return await new RunCatalog(system).ShowAsync(runId); }
        finally { await system.Terminate(); }
    }

    /// <summary>Each iteration's latest record, in order.</summary>
    public static List<IterationCompleted> Stream(RunState state) =>
        state.Iterations.GroupBy(i => i.Iteration).Select(g => g.Last()).OrderBy(i => i.Iteration).ToList();

    /// <summary>
    /// Runs <c>train STAGE</c> (<paramref name="train"/> ends with <c>--out</c>) uninterrupted, then once per kill point:
    /// into its own folder until the journal shows that many completed iterations, SIGKILLs it, finishes it with
    /// <c>train STAGE --resume</c>, and asserts that the resumed journal's metric stream equals the uninterrupted one
    /// value by value (timings t_* aside).
    /// </summary>
    public async Task KillResumeAndCompare(string stage, string[] train, int iterations, params int[] killAfter)
    {
        var fullName = "full-" + _token;
        await Run([.. train, fullName]);
        var full = Stream((await Journal(Path.Combine(Dir, fullName), $"{fullName}.{stage}"))!);
        Assert.Equal(Enumerable.Range(1, iterations).Select(i => (long)i), full.Select(i => i.Iteration));
        foreach (var point in killAfter) await KillResumeAndCompare(stage, train, iterations, point, full);
    }

    /// <summary>Runs the CLI with <paramref name="args"/> until the journal shows <paramref name="killAfter"/> completed iterations of <paramref name="runId"/>, then SIGKILLs it.</summary>
    public async Task StartAndKill(string[] args, string runDir, string runId, int killAfter)
    {
        RunState? seen = null;
        using var child = Start(args);
        var clock = Stopwatch.StartNew();
        while (seen is null || seen.Iterations.Count < killAfter)
        {
            Assert.False(child.HasExited, "the run ended before it could be killed");
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(120), $"no {killAfter} iterations of {runId} in the journal after 120 s");
            await Task.Delay(50);
            if (postgreSql is null && !File.Exists(Path.Combine(runDir, "journal.db"))) continue;
            try { seen = await Journal(runDir, runId); }
            catch (Exception e) { output.WriteLine($"journal not readable yet ({e.GetType().Name}: {e.Message}); polling again"); }
        }
        child.Kill(entireProcessTree: true);                                            // SIGKILL: no shutdown, no flush
        await child.WaitForExitAsync();
    }

    private async Task KillResumeAndCompare(string stage, string[] train, int iterations, int killAfter, List<IterationCompleted> full)
    {
        var killedName = $"killed{killAfter}-{_token}";
        var killedDir = Path.Combine(Dir, killedName);
        var killedId = $"{killedName}.{stage}";
        await StartAndKill([.. train, killedName], killedDir, killedId, killAfter);
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
        output.WriteLine($"killed after {killAfter}, resumed: {rerun} iterations journaled after the kill; {compared} metric values identical over {stream.Count} iterations");
    }
}
