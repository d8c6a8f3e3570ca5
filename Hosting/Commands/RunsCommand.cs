using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using AkkaRlhf.Actors.Pipeline;
using AkkaRlhf.Configuration;
using AkkaRlhf.Persistence;
using AkkaRlhf.Persistence.Runs;
using AkkaRlhf.Persistence.Sql;
using AkkaRlhf.Runtime;

namespace AkkaRlhf.Hosting.Commands;

/// <summary>
/// <c>runs list [--root DIR]</c> and <c>runs show RUN [--root DIR]</c>: the durable runs (PPO and DPO stages of
/// <c>demo</c> and <c>train</c>) read from each run folder's journal (<c>journal.db</c>) through the <see cref="RunCatalog"/>.
/// </summary>
public static class RunsCommand
{
    public static Command Create()
    {
        var root = new Option<string>("--root") { Description = "folder holding the run folders", DefaultValueFactory = _ => "runs" };
        var list = new Command("list", "every run under --root: status, iterations, last metrics, newest checkpoint") { root };
        list.SetAction(r => Cli.Run(() => List(r.GetValue(root)!).GetAwaiter().GetResult()));
        var run = new Argument<string>("RUN") { Description = "a run folder, its name under --root, or a run id (FOLDER.STAGE)" };
        var root2 = new Option<string>("--root") { Description = "folder holding the run folders", DefaultValueFactory = _ => "runs" };
        var show = new Command("show", "one run's status, metrics of every iteration, checkpoints and data cursors") { run, root2 };
        show.SetAction(r => Cli.Run(() => Show(r.GetValue(run)!, r.GetValue(root2)!).GetAwaiter().GetResult()));
        return new Command("runs", "durable runs recorded in the run journals") { list, show };
    }

    private static async Task<int> List(string root)
    {
        var folders = Directory.Exists(root)
            ? Directory.GetDirectories(root).Prepend(root).Where(d => File.Exists(RunFolders.JournalOf(d))).Order(StringComparer.Ordinal).ToList()
            : [];
        if (folders.Count == 0) { Console.WriteLine($"no runs under {Path.GetFullPath(root)}"); return 0; }
        Console.WriteLine($"{"RUN",-44} {"STATUS",-10} {"ITER",5} {"VERSION",7}  LAST METRICS / CHECKPOINT");
        foreach (var folder in folders)
            foreach (var s in await RunFolders.WithCatalog(folder, c => c.ListAsync()))
            {
                Console.WriteLine($"{s.RunId,-44} {s.Status,-10} {s.Iterations,5} {s.PolicyVersion,7}  {Metrics(s.LastMetrics)}");
                if (s.LatestCheckpoint is { } cp) Console.WriteLine($"{"",70}{cp}");
            }
        return 0;
    }

    private static async Task<int> Show(string run, string root)
    {
        var (folder, ids) = RunFolders.Locate(run, root);
        var states = await RunFolders.WithCatalog(folder, async c =>
        {
            var runIds = ids ?? (await c.ListAsync()).Select(s => s.RunId).ToList();
            var found = new List<RunState>();
            foreach (var id in runIds) if (await c.ShowAsync(id) is { } st) found.Add(st);
            return found;
        });
        if (states.Count == 0) throw new ArgumentException($"no run {run} in {RunFolders.JournalOf(folder)}");
        foreach (var s in states)
        {
            Console.WriteLine($"run {s.RunId}: {s.Status}{(s.StatusReason is { } why ? $" ({why})" : "")}, seed {s.Seed}, {s.Iterations.Count} iterations journaled");
            foreach (var it in RunFolders.Latest(s.Iterations))
                Console.WriteLine($"  {it.Iteration,5}  v{it.PolicyVersion,-5} {Metrics(it.Metrics)}");
            Console.WriteLine("  checkpoints:");
            foreach (var cp in s.Checkpoints)
                Console.WriteLine($"    step {cp.Step,5}  {cp.Path}  sha256 {cp.Sha256[..16]}…{(Directory.Exists(cp.Path) ? "" : "  (missing)")}");
            foreach (var (source, c) in s.DataCursors) Console.WriteLine($"  data cursor {source}: epoch {c.Epoch}, offset {c.Offset}");
            if (s.RngStates.Count > 0) Console.WriteLine($"  rng states: {string.Join(", ", s.RngStates.Keys)}");
        }
        return 0;
    }

    private static string Metrics(IReadOnlyDictionary<string, double> metrics) =>
        string.Join("  ", metrics.Where(kv => !kv.Key.StartsWith("t_", StringComparison.Ordinal)).Take(8)
            .Select(kv => $"{kv.Key}={kv.Value.ToString("G5", CultureInfo.InvariantCulture)}"));
}

/// <summary>Run folders: the journal inside each, locating a run, and the persistence of a durable command.</summary>
internal static class RunFolders
{
    public static string JournalOf(string folder) => Path.Combine(folder, "journal.db");

    /// <summary>Configures <paramref name="system"/>'s persistence: SQLite in <c>RUN/journal.db</c> (or the configured PostgreSQL).</summary>
    public static void ConfigurePersistence(ActorSystem system, Config config, string runDir)
    {
        var settings = PersistenceSettings.FromConfig(config);
        if (settings.Provider != PersistenceProvider.PostgreSql)
            settings = settings with { Provider = PersistenceProvider.Sqlite, Sqlite = settings.Sqlite with { Path = JournalOf(runDir) } };
        PersistenceExtension.Configure(system, settings);
        RunJournal.Register(system.Serialization);
    }

    /// <summary>Runs <paramref name="body"/> with the catalog of <paramref name="folder"/>'s journal.</summary>
    public static async Task<T> WithCatalog<T>(string folder, Func<RunCatalog, Task<T>> body)
    {
        var system = ActorSystem.Create("akka-rlhf-runs", ActorSystemSettings.Default.WithStdoutLogging(false));
        try
        {
            PersistenceExtension.Configure(system, new PersistenceSettings { Provider = PersistenceProvider.Sqlite, Sqlite = new SqliteOptions(JournalOf(folder)) });
            return await body(RunCatalog.For(system));
        }
        finally { await system.Terminate(); }
    }

    /// <summary>A run folder (a path, or a name under <paramref name="root"/>) or a run id FOLDER.STAGE; the ids to show (null: all).</summary>
    public static (string Folder, IReadOnlyList<string>? Ids) Locate(string run, string root)
    {
        if (Directory.Exists(run)) return (Path.GetFullPath(run), null);
        if (Directory.Exists(Path.Combine(root, run))) return (Path.GetFullPath(Path.Combine(root, run)), null);
        var dot = run.LastIndexOf('.');
        if (dot > 0 && Directory.Exists(Path.Combine(root, run[..dot]))) return (Path.GetFullPath(Path.Combine(root, run[..dot])), [run]);
        throw new ArgumentException($"no run folder {run} (nor under {Path.GetFullPath(root)})");
    }

    /// <summary>The run folder of <c>--resume RUN</c>: a path, or a name under runs/.</summary>
    public static string ResumeFolder(string run) =>
        Directory.Exists(run) ? Path.GetFullPath(run)
        : Directory.Exists(Path.Combine("runs", run)) ? Path.GetFullPath(Path.Combine("runs", run))
        : Directory.Exists(Path.Combine("runs", run.Split('.')[0])) ? Path.GetFullPath(Path.Combine("runs", run.Split('.')[0]))
        : throw new ArgumentException($"--resume {run}: no such run folder (give the folder, or its name under runs/)");

    /// <summary>Each iteration once: a resumed run journals the iterations after its checkpoint again; the latest record wins.</summary>
    public static IEnumerable<IterationCompleted> Latest(IReadOnlyList<IterationCompleted> iterations) =>
        iterations.GroupBy(i => i.Iteration).Select(g => g.Last()).OrderBy(i => i.Iteration);

    /// <summary>What a run was started with (<c>RUN/command.json</c>), so that <c>--resume</c> needs no other argument.</summary>
    public sealed record Invocation(string? ConfigFile, IReadOnlyList<string> Overrides, string? Sft = null, string? Rm = null, bool BetaSweep = false);

    public static void SaveInvocation(string runDir, Invocation invocation) =>
        File.WriteAllText(Path.Combine(runDir, "command.json"), JsonSerializer.Serialize(invocation));

    public static Invocation? LoadInvocation(string runDir) =>
        File.Exists(Path.Combine(runDir, "command.json")) ? JsonSerializer.Deserialize<Invocation>(File.ReadAllText(Path.Combine(runDir, "command.json"))) : null;
}

/// <summary>
/// The <see cref="IRunLog"/> of a durable stage over its <see cref="RunRecorder"/> (persistence id <c>run-{id}</c>):
/// RunStarted (or RunStatusChanged Running "resumed ..."), then the stage's events in order, then Completed/Failed.
/// </summary>
internal sealed class JournalRunLog : IRunLog
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly IActorRef _recorder;

    private JournalRunLog(IActorRef recorder, IReadOnlyCollection<string> journaled) => (_recorder, JournaledCheckpoints) = (recorder, journaled);

    public IReadOnlyCollection<string> JournaledCheckpoints { get; }

    public static async Task<JournalRunLog> StartAsync(ActorSystem system, string runId, string configSnapshot, long seed, int keepLast, string? resumedFrom)
    {
        var recorder = system.ActorOf(RunRecorder.Props(runId, keepLast), "run-" + new string(runId.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-').ToArray()));
        var state = await recorder.Ask<RunState>(GetRunState.Instance, Timeout);
        IRunEvent first = state.Status == RunStatus.Created ? new RunStarted(runId, configSnapshot, seed)
            : new RunStatusChanged(RunStatus.Running, resumedFrom is null ? "restarted from the beginning" : $"resumed from {resumedFrom}");
        await recorder.Ask<RunEventRecorded>(first, Timeout);
        return new JournalRunLog(recorder, state.Checkpoints.Select(c => Path.GetFullPath(c.Path)).ToHashSet());
    }

    public void Iteration(long iteration, long policyVersion, IReadOnlyDictionary<string, double> metrics) =>
        _recorder.Tell(new IterationCompleted(iteration, policyVersion, new Dictionary<string, double>(metrics)));

    public void DataCursor(string source, int epoch, long offset) => _recorder.Tell(new DataCursorAdvanced(source, epoch, offset));

    public void Rng(string name, byte[] state) => _recorder.Tell(new RngStateSaved(name, state));

    public async Task<IReadOnlyList<string>> CheckpointAsync(string path, string sha256, long step) =>
        (await _recorder.Ask<RunEventRecorded>(new CheckpointSaved(path, sha256, step), Timeout)).CheckpointsToDelete;

    /// <summary>Records the final status; every earlier event is in the journal when this returns.</summary>
    public Task FinishAsync(RunStatus status, string? reason = null) => _recorder.Ask<RunEventRecorded>(new RunStatusChanged(status, reason), Timeout);
}
