using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using AkkaRlhf.Actors.Pipeline;
using Config = AkkaRlhf.Configuration.Config;
using AkkaRlhf.Persistence;
using AkkaRlhf.Persistence.Runs;
using Akka.Actor;

namespace AkkaRlhf.Hosting.Commands;

/// <summary>
/// <c>runs list [--root DIR]</c> and <c>runs show RUN [--root DIR]</c>: the durable runs (PPO and DPO stages of
/// <c>demo</c> and <c>train</c>) read from each run folder's journal (<c>journal.db</c>) through the <see cref="RunCatalog"/>.
/// </summary>
public static class RunsCommand
{
    public static Command Create()
    {
        var (root, config, set) = Options();
        var list = new Command("list", "every run under --root (or in the configured PostgreSQL journal): status, iterations, last metrics, newest checkpoint")
            { root, config, set };
        list.SetAction(r => Cli.Run(() => List(r.GetValue(root)!, Journal(r.GetValue(config), r.GetValue(set))).GetAwaiter().GetResult()));
        var run = new Argument<string>("RUN") { Description = "a run folder, its name under --root, or a run id (FOLDER.STAGE)" };
        var (root2, config2, set2) = Options();
        var show = new Command("show", "one run's status, metrics of every iteration, checkpoints and data cursors") { run, root2, config2, set2 };
        show.SetAction(r => Cli.Run(() => Show(r.GetValue(run)!, r.GetValue(root2)!, Journal(r.GetValue(config2), r.GetValue(set2))).GetAwaiter().GetResult()));
        return new Command("runs", "durable runs recorded in the run journals") { list, show };
    }

    private static (Option<string> Root, Option<string?> Config, Option<string[]> Set) Options() =>
        (new Option<string>("--root") { Description = "folder holding the run folders", DefaultValueFactory = _ => "runs" },
         new Option<string?>("--config") { Description = "the configuration the runs were started with (for a PostgreSQL journal)" },
         new Option<string[]>("--set") { Description = "a configuration override a.b=value (repeatable)", AllowMultipleArgumentsPerToken = false });

    /// <summary>The configured journal when it is a server (PostgreSQL): every run is in it; null for the run folders' SQLite files.</summary>
    private static PersistenceSettings? Journal(string? configFile, string[]? overrides)
    {
        var settings = PersistenceSettings.Create(AppConfig.Load(configFile, overrides ?? []));
        return settings.Provider == PersistenceProvider.PostgreSql ? settings : null;
    }

    private static async Task<int> List(string root, PersistenceSettings? server)
    {
        if (server is not null)
        {
            var runs = await RunFolders.WithCatalog(server, c => c.ListAsync());
            if (runs.Count == 0) { Console.WriteLine("no runs in the PostgreSQL journal"); return 0; }
            Console.WriteLine($"{"RUN",-44} {"STATUS",-10} {"ITER",5} {"VERSION",7}  LAST METRICS / CHECKPOINT");
            foreach (var s in runs) Print(s);
            return 0;
        }
        var folders = Directory.Exists(root)
            ? Directory.GetDirectories(root).Prepend(root).Where(d => File.Exists(RunFolders.JournalOf(d))).Order(StringComparer.Ordinal).ToList()
            : [];
        if (folders.Count == 0) { Console.WriteLine($"no runs under {Path.GetFullPath(root)}"); return 0; }
        Console.WriteLine($"{"RUN",-44} {"STATUS",-10} {"ITER",5} {"VERSION",7}  LAST METRICS / CHECKPOINT");
        foreach (var folder in folders)
            foreach (var s in await RunFolders.WithCatalog(folder, c => c.ListAsync())) Print(s);
        return 0;
    }

    private static void Print(RunSummary s)
    {
        Console.WriteLine($"{s.RunId,-44} {s.Status,-10} {s.Iterations,5} {s.PolicyVersion,7}  {Metrics(s.LastMetrics)}");
        if (s.LatestCheckpoint is { } cp) Console.WriteLine($"{"",70}{cp}");
    }

    private static async Task<int> Show(string run, string root, PersistenceSettings? server)
    {
        var (folder, ids) = server is null ? RunFolders.Locate(run, root) : ("", (IReadOnlyList<string>?)[run]);
        var states = await RunFolders.WithCatalog(server ?? RunFolders.SqliteOf(folder), async c =>
        {
            var runIds = ids ?? (await c.ListAsync()).Select(s => s.RunId).ToList();
            var found = new List<RunState>();
            foreach (var id in runIds) if (await c.ShowAsync(id) is { } st) found.Add(st);
            return found;
        });
        if (states.Count == 0) throw new ArgumentException($"no run {run} in {(server is null ? RunFolders.JournalOf(folder) : "the PostgreSQL journal")}");
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

    /// <summary>
    /// The persistence of a durable command: SQLite in <c>RUN/journal.db</c> (or the configured PostgreSQL); a journal of the
    /// previous, home-made format is refused with a message that says so.
    /// </summary>
    public static PersistenceSettings Persistence(Config config, string runDir)
    {
        var settings = PersistenceSettings.Create(config, JournalOf(runDir));
        if (settings.Provider == PersistenceProvider.Sqlite) LegacyJournal.Prepare(settings.SqlitePath);
        return settings;
    }

    /// <summary>The SQLite journal of <paramref name="folder"/> (refused when it is of the previous, home-made format).</summary>
    public static PersistenceSettings SqliteOf(string folder)
    {
        LegacyJournal.Refuse(JournalOf(folder));
        return new PersistenceSettings(PersistenceProvider.Sqlite, JournalOf(folder), "", 0);
    }

    /// <summary>Runs <paramref name="body"/> with the catalog of <paramref name="folder"/>'s journal.</summary>
    public static Task<T> WithCatalog<T>(string folder, Func<RunCatalog, Task<T>> body) => WithCatalog(SqliteOf(folder), body);

    /// <summary>Runs <paramref name="body"/> with the catalog of the journal <paramref name="persistence"/> names.</summary>
    public static async Task<T> WithCatalog<T>(PersistenceSettings persistence, Func<RunCatalog, Task<T>> body)
    {
        var system = ActorSystem.Create("akka-rlhf-runs", persistence.ToAkkaConfig().WithFallback("akka.loglevel = WARNING, akka.stdout-loglevel = WARNING"));
        try { return await body(new RunCatalog(system)); }
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
    public sealed record Invocation(string? ConfigFile, IReadOnlyList<string> Overrides, string? Sft = null, string? Rm = null, bool BetaSweep = false,
        int Cluster = 0, string? Chaos = null, string? Model = null);

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
    private readonly TaskCompletionSource<Exception> _failed;

    private JournalRunLog(IActorRef recorder, TaskCompletionSource<Exception> failed, IReadOnlyCollection<string> journaled) =>
        (_recorder, _failed, JournaledCheckpoints) = (recorder, failed, journaled);

    public IReadOnlyCollection<string> JournaledCheckpoints { get; }

    public static async Task<JournalRunLog> StartAsync(ActorSystem system, string runId, string configSnapshot, long seed, int keepLast,
        int snapshotEvery, string? resumedFrom)
    {
        var failed = new TaskCompletionSource<Exception>(TaskCreationOptions.RunContinuationsAsynchronously);
        var recorder = system.ActorOf(RunRecorder.Props(runId, keepLast, snapshotEvery, e => failed.TrySetResult(e)),
            "run-" + new string(runId.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-').ToArray()));
        var log = new JournalRunLog(recorder, failed, []);
        var state = await log.StateAsync();
        IRunEvent first = state.Status == RunStatus.Created ? new RunStarted(runId, configSnapshot, seed)
            : new RunStatusChanged(RunStatus.Running, resumedFrom is null ? "restarted from the beginning" : $"resumed from {resumedFrom}");
        log = new JournalRunLog(recorder, failed, state.Checkpoints.Select(c => Path.GetFullPath(c.Path)).ToHashSet());
        await log.AskAsync<RunEventRecorded>(first);
        return log;
    }

    public void Iteration(long iteration, long policyVersion, IReadOnlyDictionary<string, double> metrics) =>
        Tell(new IterationCompleted(iteration, policyVersion, new Dictionary<string, double>(metrics)));

    public void DataCursor(string source, int epoch, long offset) => Tell(new DataCursorAdvanced(source, epoch, offset));

    public void Rng(string name, byte[] state) => Tell(new RngStateSaved(name, state));

    public async Task<IReadOnlyList<string>> CheckpointAsync(string path, string sha256, long step) =>
        (await AskAsync<RunEventRecorded>(new CheckpointSaved(path, sha256, step))).CheckpointsToDelete;

    /// <summary>The run as its recorder holds it: every event journaled before (by this process or an earlier one) and since.</summary>
    public Task<RunState> StateAsync() => AskAsync<RunState>(GetRunState.Instance);

    /// <summary>Records the final status; every earlier event is in the journal when this returns.</summary>
    public Task FinishAsync(RunStatus status, string? reason = null) => AskAsync<RunEventRecorded>(new RunStatusChanged(status, reason));

    /// <summary>A journal that failed fails every later call at once, with its cause.</summary>
    private void Tell(IRunEvent e)
    {
        if (_failed.Task.IsCompleted) throw _failed.Task.Result;
        _recorder.Tell(e);
    }

    private async Task<T> AskAsync<T>(object message)
    {
        if (_failed.Task.IsCompleted) throw _failed.Task.Result;
        var ask = _recorder.Ask<T>(message, Timeout);
        if (await Task.WhenAny(ask, _failed.Task) == ask) return await ask;
        _ = ask.ContinueWith(t => t.Exception, TaskScheduler.Default);               // observed: the journal's failure is the answer
        throw _failed.Task.Result;
    }
}
