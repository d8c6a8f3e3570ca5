namespace AkkaRlhf.Runtime;

/// <summary>
/// The guardians: <c>/</c> (root), <c>/user</c> (parent of <c>ActorOf</c> actors) and <c>/system</c>.
/// The root stops itself, and so the system, once the user guardian has stopped.
/// </summary>
internal sealed class GuardianActor(bool isRoot) : ActorBase
{
    protected internal override void PreStart()
    {
        if (isRoot && Context.Child("user") is { } user) Context.Watch(user);
    }

    protected internal override bool Receive(object message)
    {
        if (message is Terminated && isRoot) Context.Stop(Self);
        return message is Terminated;
    }

    protected internal override void PreRestart(Exception reason, object? message) { }

    protected internal override SupervisorStrategy SupervisorStrategy() =>
        isRoot ? Runtime.SupervisorStrategy.StoppingStrategy : Runtime.SupervisorStrategy.DefaultStrategy;
}
