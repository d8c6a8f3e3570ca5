using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
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
/// metrics. It publishes <see cref="RunBegan"/>, <see cref="RunStepped"/> and <see cref="RunEnded"/> on the topic
/// <see cref="Topic"/> (whoever follows the run: the demo's table) and prints the progress on its node.
/// </summary>
internal sealed class PpoSingleton : ReceiveActor
{
    /// <summary>The DistributedPubSub topic of the run's progress.</summary>
    public const string Topic = "akka-rlhf.run";

    /// <summary>The singleton manager's name on every learner member (<c>/user/ppo</c>).</summary>
    public const string ManagerName = "ppo";

    public static Props Props(PpoJob job, TextWriter output) => Akka.Actor.Props.Create(() => new PpoSingleton(job, output));

    public PpoSingleton(PpoJob job, TextWriter output)
    {
        var system = Context.System;
        var mediator = DistributedPubSub.Get(system).Mediator;
        RunAsync(system, job, output, message => mediator.Tell(new Publish(Topic, message)))
            .PipeTo(Self, failure: e => new RunEnded("ppo", "", new Dictionary<string, double>(), [], e.GetBaseException().Message));
        Receive<RunEnded>(ended =>
        {
            output.WriteLine(ended.Error is null ? $"ppo run finished: model in {ended.ModelDir}; work {string.Join("; ", ended.Work.Select(Describe))}"
                : $"error: the ppo run failed: {ended.Error}");
            mediator.Tell(new Publish(Topic, ended));
        });
    }

    private static string Describe(WorkAccounting w) =>
        $"{w.Role}: sent {w.Sent}, completed {w.Completed}, re-sent {w.Redispatched}, lost {w.Lost}, duplicated {w.Duplicated}";

    private static async Task<RunEnded> RunAsync(ActorSystem system, PpoJob job, TextWriter output, Action<object> publish)
    {
        if (job.LoadResult() is { } done)
        {
            output.WriteLine($"ppo: {job.RunDir} finished before; nothing to do");
            return new RunEnded("ppo", job.ModelDir, done.Summary, done.Work, null);
        }
        var settings = job.Settings;
        var recorder = new MetricRecorder();
        var progress = new CompositeProgressReporter(ProgressDisplay.Plain(output), recorder, new Published(publish));
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

    /// <summary>The run's progress as messages on the topic.</summary>
    private sealed class Published(Action<object> publish) : IProgressReporter
    {
        public void StageStarted(string stage, int totalSteps) => publish(new RunBegan(stage, totalSteps));
        public void StepCompleted(string stage, int step, IReadOnlyDictionary<string, double> metrics) =>
            publish(new RunStepped(stage, step, new Dictionary<string, double>(metrics)));
        public void StageCompleted(string stage, IReadOnlyDictionary<string, double> summary) { }
    }
}
