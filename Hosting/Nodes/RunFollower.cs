using Akka.Actor;
using Akka.Cluster.Tools.Singleton;
using AkkaRlhf.Actors.Messages;
using AkkaRlhf.Actors.Pipeline;

namespace AkkaRlhf.Hosting.Nodes;

/// <summary>
/// Follows a clustered PPO run wherever its coordinator runs, losing no step: it sends <see cref="FollowRun"/> to the
/// <see cref="PpoSingleton"/> through a ClusterSingletonProxy (which holds it until the singleton is found), and the
/// singleton answers <see cref="RunFollowed"/>, then what the run has done so far (<see cref="RunBegan"/>, each
/// <see cref="RunStepped"/>, <see cref="RunEnded"/>), then each new event, in order, straight to this actor. When that
/// singleton stops before the run ended (its node died or left), the follower asks its successor, which goes on from its
/// own <see cref="RunBegan"/> (a resumed run's steps after the checkpoint come again); it asks again every 2 s until one
/// answers (an ask the proxy sent to a singleton that was stopping is lost).
/// </summary>
internal sealed class RunFollower : ReceiveActor, IWithTimers
{
    /// <summary>How often <see cref="FollowRun"/> goes again while no singleton has answered (one sent as it moved may be lost).</summary>
    private static readonly TimeSpan AskAgain = TimeSpan.FromSeconds(2);

    private sealed record Ask
    {
        public static Ask Instance { get; } = new();
    }

    private IActorRef? _followed;

    public ITimerScheduler Timers { get; set; } = null!;

    /// <param name="progress">Where the run's progress goes (the demo's table); null: only its end is wanted.</param>
    /// <param name="ended">Completed with the run's end.</param>
    /// <param name="onStep">Told each step's number after <paramref name="progress"/> (the demo's chaos).</param>
    public static Props Props(IProgressReporter? progress, TaskCompletionSource<RunEnded> ended, Action<int>? onStep = null) =>
        Akka.Actor.Props.Create(() => new RunFollower(progress, ended, onStep));

    public RunFollower(IProgressReporter? progress, TaskCompletionSource<RunEnded> ended, Action<int>? onStep)
    {
        var singleton = Context.ActorOf(ClusterSingletonProxy.Props($"/user/{PpoSingleton.ManagerName}",
            ClusterSingletonProxySettings.Create(Context.System).WithRole(PpoSingleton.Role)), "coordinator");
        Receive<Ask>(_ => _followed is null && !ended.Task.IsCompleted, _ => singleton.Tell(FollowRun.Instance));
        Receive<Ask>(_ => { });
        Receive<RunFollowed>(_ => _followed = Context.Watch(Sender));
        Receive<Terminated>(t => t.ActorRef.Equals(_followed), _ =>
        {
            _followed = null;
            Self.Tell(Ask.Instance);
        });
        Receive<RunBegan>(b => progress?.StageStarted(b.Stage, b.Steps));
        Receive<RunStepped>(s =>
        {
            progress?.StepCompleted(s.Stage, s.Step, s.Metrics);
            onStep?.Invoke(s.Step);
        });
        Receive<RunEnded>(e => ended.TrySetResult(e));
        Self.Tell(Ask.Instance);
        Timers.StartPeriodicTimer("ask", Ask.Instance, AskAgain);
    }
}
