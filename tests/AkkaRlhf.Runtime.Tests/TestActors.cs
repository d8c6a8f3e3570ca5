using AkkaRlhf.Runtime;

namespace AkkaRlhf.Runtime.Tests;

/// <summary>Replies every message to its sender.</summary>
public sealed class EchoActor : ReceiveActor
{
    public EchoActor() => ReceiveAny(m => Sender.Tell(m));
}

/// <summary>Forwards every message to a target, keeping the sender.</summary>
public sealed class ForwardActor : ReceiveActor
{
    public ForwardActor(IActorRef target) => ReceiveAny(m => target.Forward(m));
}

/// <summary>Reports its lifecycle hooks to a probe and throws on "fail".</summary>
public sealed class LifecycleActor : ReceiveActor
{
    private readonly IActorRef _probe;

    public LifecycleActor(IActorRef probe)
    {
        _probe = probe;
        Receive<string>(s => s == "fail", _ => throw new InvalidOperationException("boom"));
        ReceiveAny(m => _probe.Tell(m));
    }

    protected override void PreStart() => _probe.Tell("PreStart");

    protected override void PostStop() => _probe.Tell("PostStop");

    protected override void PreRestart(Exception reason, object? message)
    {
        _probe.Tell($"PreRestart:{reason.Message}:{message}");
        base.PreRestart(reason, message);
    }

    protected override void PostRestart(Exception reason)
    {
        _probe.Tell("PostRestart");
        base.PostRestart(reason);
    }
}

/// <summary>Creates children from props on request and supervises them with a given strategy.</summary>
public sealed class Supervisor : ReceiveActor
{
    private readonly SupervisorStrategy _strategy;

    public Supervisor(SupervisorStrategy strategy)
    {
        _strategy = strategy;
        Receive<Props>(p => Sender.Tell(Context.ActorOf(p)));
        Receive<(Props Props, string Name)>(p => Sender.Tell(Context.ActorOf(p.Props, p.Name)));
    }

    protected override SupervisorStrategy SupervisorStrategy() => _strategy;
}
