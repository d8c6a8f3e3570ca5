using AkkaRlhf.Actors.Messages;
using Akka.Actor;

namespace AkkaRlhf.Actors.Pipeline;

/// <summary>
/// Runs one stage actor (an offline stage, the PPO <see cref="Trainer"/>) as its child and relays its reply to the
/// asker of <see cref="RunStage"/>. A child that fails (in its constructor, which stops it, or later) is stopped, and
/// the asker gets <see cref="Status.Failure"/> with the cause at once: a failure never turns into a silent wait for
/// the stage timeout. Stops itself with its child.
/// </summary>
public sealed class StageHost : ReceiveActor
{
    private Exception? _cause;
    private IActorRef? _asker;

    public static Props Props(Props stage, string name) => Akka.Actor.Props.Create(() => new StageHost(stage, name));

    public StageHost(Props stage, string name)
    {
        var child = Context.Watch(Context.ActorOf(stage, name));
        Receive<RunStage>(run =>
        {
            _asker = Sender;
            child.Tell(run, Self);
        });
        Receive<Terminated>(t => t.ActorRef.Equals(child), _ =>
        {
            var cause = _cause ?? new InvalidOperationException($"the {name} actor stopped before it finished");
            _asker?.Tell(new Status.Failure(cause is ActorInitializationException { InnerException: { } inner } ? inner : cause));
            Context.Stop(Self);
        });
        ReceiveAny(reply =>                                                           // StageFinished or the stage's own Status.Failure
        {
            _asker?.Tell(reply);
            _asker = null;
        });
    }

    /// <summary>Any failure of the stage actor stops it; the cause goes to the asker.</summary>
    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(cause =>
    {
        _cause ??= cause;
        return Directive.Stop;
    });
}
