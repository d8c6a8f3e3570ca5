using Akka.Actor;
using AkkaRlhf.Actors.Cluster;
using AkkaRlhf.Actors.Messages;
using AkkaRlhf.Actors.Pipeline;
using AkkaRlhf.Hosting.Commands;
using AkkaRlhf.Hosting.Reporting;
using AkkaRlhf.Models;
using AkkaRlhf.Persistence.Runs;

namespace AkkaRlhf.Hosting.Nodes;

/// <summary>
/// The coordinator and learner of a clustered PPO run, as a cluster singleton on the oldest member with the role
/// "learner" (Akka.Cluster.Tools' ClusterSingletonManager starts it; when its node dies, the next oldest learner member
/// starts it after the split-brain resolver has downed the dead one). Its state is the run's journal and checkpoints: it
/// continues from the newest checkpoint the journal names (a fresh run from the beginning), with the roles served by the
/// members (<see cref="ClusterRoles"/>), so a moved coordinator goes on with no manual step and, in sync mode, the same
/// metrics. Whoever follows the run (<see cref="RunFollower"/>: the demo's table, the members of <c>train ppo</c>) asks with
/// <see cref="FollowRun"/> and gets <see cref="RunFollowed"/>, then every <see cref="RunBegan"/>, <see cref="RunStepped"/>
/// and <see cref="RunEnded"/> of this singleton, those before the ask included, in order. It prints the progress on its node.
/// </summary>
internal sealed class PpoSingleton : ReceiveActor
{
    /// <summary>The singleton manager's name on every learner member (<c>/user/ppo</c>).</summary>
    public const string ManagerName = "ppo";

    /// <summary>The cluster role of the members the singleton may run on.</summary>
    public const string Role = "learner";

    private readonly List<object> _events = [];                                      // what a new follower gets first
    private readonly HashSet<IActorRef> _followers = [];

    public static Props Props(PpoJob job, TextWriter output) => Akka.Actor.Props.Create(() => new PpoSingleton(job, output));

    public PpoSingleton(PpoJob job, TextWriter output)
    {
        var self = Self;
        RunAsync(Context.System, job, output, self.Tell)
            .PipeTo(Self, failure: e => new RunEnded("ppo", "", new Dictionary<string, double>(), [], e.GetBaseException().Message));
        Receive<FollowRun>(_ => !_followers.Contains(Sender), _ =>
        {
            _followers.Add(Context.Watch(Sender));
            Sender.Tell(RunFollowed.Instance);
            foreach (var e in _events) Sender.Tell(e);
        });
        Receive<FollowRun>(_ => { });                                                 // asked again before our answer came
        Receive<Terminated>(t => _followers.Remove(t.ActorRef));
        Receive<RunBegan>(Send);
        Receive<RunStepped>(Send);
        Receive<RunEnded>(ended =>
        {
            output.WriteLine(ended.Error is null ? $"ppo run finished: model in {ended.ModelDir}; work {string.Join("; ", ended.Work.Select(Describe))}"
                : $"error: the ppo run failed: {ended.Error}");
            Send(ended);
        });
    }

    /// <summary>Keeps <paramref name="e"/> for later followers and sends it to the present ones.</summary>
    private void Send(object e)
    {
        _events.Add(e);
        foreach (var f in _followers) f.Tell(e);
    }

    private static string Describe(WorkAccounting w) =>
        $"{w.Role}: sent {w.Sent}, completed {w.Completed}, re-sent {w.Redispatched}, lost {w.Lost}, duplicated {w.Duplicated}";

    /// <param name="send">Where the run's events go (this actor, which hands them to its followers).</param>
    private static async Task<RunEnded> RunAsync(ActorSystem system, PpoJob job, TextWriter output, Action<object> send)
    {
        if (job.LoadResult() is { } done)
        {
            output.WriteLine($"ppo: {job.RunDir} finished before; nothing to do");
            return new RunEnded("ppo", job.ModelDir, done.Summary, done.Work, null);
        }
        var settings = job.Settings;
        var recorder = new MetricRecorder();
        var progress = new CompositeProgressReporter(ProgressDisplay.Plain(output), recorder, new Sent(send));
        var log = await JournalRunLog.StartAsync(system, job.JournalId, job.Config.GetConfig("akka-rlhf").ToHocon(), settings.Seed,
            job.Config.GetInt("akka-rlhf.checkpoint.keep-last"), job.Persistence.SnapshotEvery, "its newest valid checkpoint");
        var durability = new Durability(log, Path.Combine(job.StageDir, "checkpoints"), job.Config.GetInt("akka-rlhf.checkpoint.every"),
            Resume: log.JournaledCheckpoints.Count > 0, Warn: output.WriteLine);
        var critic = settings.Ppo.Critic.UseRole;
        var remote = new ClusterRoles(system, ClusterSettings.Create(job.Config), settings.Ppo.AskTimeout, critic is null ? [] : [critic],
            $"ppo-{Guid.NewGuid():N}"[..12]);
        try
        {
            var models = (job.Sft(), job.Reward());
            output.WriteLine($"ppo: coordinator up; waiting for members with the roles [{string.Join(",", settings.Ppo.ClusterRoles)}]");
            await remote.WaitForAsync(settings.Ppo.ClusterRoles, settings.Ppo.ClusterWait);
            var pipeline = new RlhfPipeline(system, settings, progress);
            var (policy, summary) = await pipeline.Ppo(job.Data, models.Item1, models.Item2, observe: job.Observe, durability: durability, remote: remote);
            ModelLoader.Save(job.ModelDir, policy, job.Data.Tokenizer);
            var work = await remote.AccountingAsync();
            job.SaveResult(new PpoJob.Result(summary, work));
            if (job.WriteReport) await WriteReportAsync(log, job, recorder);
            await log.FinishAsync(RunStatus.Completed);
            return new RunEnded("ppo", job.ModelDir, summary, work, null);
        }
        catch (Exception e)
        {
            try { await log.FinishAsync(RunStatus.Failed, e.Message); } catch (Exception) { }
            throw;
        }
        finally { remote.Stop(); }
    }

    /// <summary>
    /// report.json/html of <c>train ppo</c>: every iteration from the run's recorder (a moved coordinator saw only its own),
    /// which holds what it recovered from the journal and what it wrote since: any journal, the in-memory one too.
    /// </summary>
    private static async Task WriteReportAsync(JournalRunLog log, PpoJob job, MetricRecorder recorder)
    {
        foreach (var it in RunFolders.Latest((await log.StateAsync()).Iterations)) recorder.StepCompleted("ppo", (int)it.Iteration, it.Metrics);
        var started = File.GetCreationTime(job.RunDir);
        var report = new RunReport(job.RunId, (int)job.Settings.Seed, started, (DateTimeOffset.Now - started).TotalSeconds,
            recorder.Stages, recorder.Series, [], null, [], [], new Dictionary<string, string> { ["stage"] = "ppo", ["cluster"] = "on" });
        ReportWriter.Write(job.StageDir, report);
    }

    /// <summary>The run's progress as messages.</summary>
    private sealed class Sent(Action<object> send) : IProgressReporter
    {
        public void StageStarted(string stage, int totalSteps) => send(new RunBegan(stage, totalSteps));
        public void StepCompleted(string stage, int step, IReadOnlyDictionary<string, double> metrics) =>
            send(new RunStepped(stage, step, new Dictionary<string, double>(metrics)));
        public void StageCompleted(string stage, IReadOnlyDictionary<string, double> summary) { }
    }
}
