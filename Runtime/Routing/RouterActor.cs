namespace AkkaRlhf.Runtime.Routing;

/// <summary>The actor behind a router: creates or resolves routees and forwards each message per its logic.</summary>
internal sealed class RouterActor(RouterConfig config, Props routeeProps) : ActorBase
{
    private readonly RoutingLogic _logic = config.CreateRoutingLogic();
    private IReadOnlyList<IActorRef> _routees = [];

    protected internal override void PreStart()
    {
        var routees = new List<IActorRef>();
        switch (config)
        {
            case Pool pool:
                for (var i = 0; i < pool.NrOfInstances; i++) routees.Add(Context.Watch(Context.ActorOf(routeeProps, "$" + i)));
                break;
            case Group group:
                routees.AddRange(group.Routees);
                routees.AddRange(group.Paths.Select(p => Context.System.ResolveActorRef(p)));
                break;
        }
        _routees = routees;
    }

    protected internal override bool Receive(object message)
    {
        switch (message)
        {
            case Broadcast broadcast:
                foreach (var routee in _routees) routee.Tell(broadcast.Message, Sender);
                break;
            case GetRoutees:
                Sender.Tell(new Routees(_routees), Self);
                break;
            case Terminated terminated:
                _routees = _routees.Where(r => !r.Equals(terminated.ActorRef)).ToList();
                if (_routees.Count == 0 && config is Pool) Context.Stop(Self);
                break;
            default:
                var targets = _logic.Select(message, _routees);
                var payload = message is ConsistentHashableEnvelope envelope ? envelope.Message : message;
                var any = false;
                foreach (var target in targets)
                {
                    target.Tell(payload, Sender);
                    any = true;
                }
                if (!any) Context.System.DeadLetters.Tell(payload, Sender);
                break;
        }
        return true;
    }

    protected internal override SupervisorStrategy SupervisorStrategy() =>
        config is Pool pool ? pool.SupervisorStrategy : Runtime.SupervisorStrategy.DefaultStrategy;
}
