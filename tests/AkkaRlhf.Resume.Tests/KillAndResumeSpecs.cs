using System.Diagnostics;
using AkkaRlhf.Persistence;
using AkkaRlhf.Persistence.Runs;
using AkkaRlhf.Persistence.Sql;
using AkkaRlhf.Runtime;
using Xunit.Abstractions;

namespace AkkaRlhf.Resume.Tests;

/// <summary>
/// A real crash: <c>akka-rlhf train ppo</c> runs as a child process, is killed with SIGKILL once its journal shows
/// two completed iterations, and <c>train ppo --resume</c> finishes it. Its journal's metric stream (each iteration's
/// latest record) must equal an uninterrupted run's, value by value (timings t_* aside).
/// </summary>
public sealed class KillAndResumeSpecs(ITestOutputHelper output) : IDisposable
{
    private const int Iterations = 30;
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "akka-rlhf-kill-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
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

    private Process Start(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = _dir };
        info.ArgumentList.Add(Cli);
        foreach (var a in args) info.ArgumentList.Add(a);
        var p = Process.Start(info)!;
        p.OutputDataReceived += (_, e) => { };
        p.ErrorDataReceived += (_, e) => { if (e.Data is { } line) output.WriteLine("stderr: " + line); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    private async Task Run(params string[] args)
    {
        using var p = Start(args);
        await p.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(120)).Token);
        Assert.True(p.ExitCode == 0, $"akka-rlhf {string.Join(' ', args)} exited with {p.ExitCode}");
    }

    /// <summary>The run state of the journal in <paramref name="runDir"/>.</summary>
    private static async Task<RunState?> Journal(string runDir, string runId)
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

    private static List<IterationCompleted> Stream(RunState state) =>
        state.Iterations.GroupBy(i => i.Iteration).Select(g => g.Last()).OrderBy(i => i.Iteration).ToList();

    [Fact]
    public async Task A_train_ppo_process_killed_with_sigkill_and_resumed_must_journal_exactly_the_metrics_of_an_uninterrupted_run()
    {
        Directory.CreateDirectory(_dir);
        await Run("demo", "--write-data", Path.Combine(_dir, "data"));
        var config = Path.Combine(_dir, "tiny.conf");
        File.WriteAllText(config, $$"""
            akka-rlhf {
              seed = 11
              model { n-layer = 1, n-head = 2, n-embd = 16, block-size = 32 }
              data {
                vocab = "data/vocab.txt"
                sft = "data/sft_train.jsonl"
                prompts = "data/prompts_train.jsonl"
                preferences = "data/prefs_train.jsonl"
                preferences-eval = "data/prefs_eval.jsonl"
              }
              sft { steps = 4, batch-size = 8 }
              rm { steps = 4, batch-size = 8 }
              ppo { iterations = {{Iterations}}, prompts-per-iteration = 32, mode = sync, generator { pool-size = 2, max-new-tokens = 6 } }
              checkpoint { every = 2, keep-last = 2 }
            }
            """);
        await Run("train", "sft", "--config", config, "--out", "sft");
        await Run("train", "rm", "--config", config, "--sft", "sft/model", "--out", "rm");
        string[] ppo = ["train", "ppo", "--config", config, "--sft", "sft/model", "--rm", "rm/model", "--out"];

        await Run([.. ppo, "full"]);
        var full = Stream((await Journal(Path.Combine(_dir, "full"), "full.ppo"))!);
        Assert.Equal(Enumerable.Range(1, Iterations).Select(i => (long)i), full.Select(i => i.Iteration));

        var killedDir = Path.Combine(_dir, "killed");
        RunState? seen = null;
        using (var child = Start([.. ppo, "killed"]))
        {
            var clock = Stopwatch.StartNew();
            while (seen is not { Iterations.Count: >= 2 })
            {
                Assert.False(child.HasExited, "the run ended before it could be killed");
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(90), "no two iterations in the journal after 90 s");
                await Task.Delay(100);
                if (!File.Exists(Path.Combine(killedDir, "journal.db"))) continue;
                try { seen = await Journal(killedDir, "killed.ppo"); }
                catch (Exception e) { output.WriteLine($"journal not readable yet ({e.GetType().Name}: {e.Message}); polling again"); }
            }
            child.Kill(entireProcessTree: true);                                        // SIGKILL: no shutdown, no flush
            await child.WaitForExitAsync();
        }
        var killed = (await Journal(killedDir, "killed.ppo"))!;
        output.WriteLine($"killed after {killed.Iterations.Count} journaled iterations (status {killed.Status}), checkpoints {string.Join(", ", killed.Checkpoints.Select(c => c.Step))}");
        Assert.Equal(RunStatus.Running, killed.Status);
        Assert.True(killed.Iterations.Count < Iterations, "killed too late");

        await Run("train", "ppo", "--resume", killedDir);
        var resumed = (await Journal(killedDir, "killed.ppo"))!;
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
        var rerun = resumed.Iterations.Count - killed.Iterations.Count;
        output.WriteLine($"resumed: {rerun} iterations journaled after the kill; {compared} metric values identical over {stream.Count} iterations");
    }
}
