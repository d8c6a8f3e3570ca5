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
/// own <see cref="RunBegan"/> (a resumed run's steps after the checkpoint come again).
/// </summary>
internal sealed class RunFollower : ReceiveActor
{
    /// <param name="progress">Where the run's progress goes (the demo's table); null: only its end is wanted.</param>
    /// <param name="ended">Completed with the run's end.</param>
    /// <param name="onStep">Told each step's number after <paramref name="progress"/> (the demo's chaos).</param>
    public static Props Props(IProgressReporter? progress, TaskCompletionSource<RunEnded> ended, Action<int>? onStep = null) =>
        Akka.Actor.Props.Create(() => new RunFollower(progress, ended, onStep));

    public RunFollower(IProgressReporter? progress, TaskCompletionSource<RunEnded> ended, Action<int>? onStep)
    {
        var singleton = Context.ActorOf(ClusterSingletonProxy.Props($"/user/{PpoSingleton.ManagerName}",
            ClusterSingletonProxySettings.Create(Context.System).WithRole(PpoSingleton.Role)), "coordinator");
        singleton.Tell(FollowRun.Instance);
        Receive<RunFollowed>(_ => Context.Watch(Sender));
        Receive<Terminated>(_ => !ended.Task.IsCompleted, _ => singleton.Tell(FollowRun.Instance));
        Receive<Terminated>(_ => { });
        Receive<RunBegan>(b => progress?.StageStarted(b.Stage, b.Steps));
        Receive<RunStepped>(s =>
        {
            progress?.StepCompleted(s.Stage, s.Step, s.Metrics);
            onStep?.Invoke(s.Step);
        });
        Receive<RunEnded>(e => ended.TrySetResult(e));
    }
}
