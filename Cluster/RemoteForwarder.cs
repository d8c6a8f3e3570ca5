using AkkaRlhf.Runtime;

namespace AkkaRlhf.Cluster;

/// <summary>Tells a remote actor on behalf of the current sender (lets the runtime's Ask reach remote references).</summary>
internal sealed class RemoteForwarder : ReceiveActor
{
    public RemoteForwarder() => Receive<Forward>(f => f.Target.Tell(f.Message, Sender));

    /// <summary>Tell <paramref name="Message"/> to <paramref name="Target"/> with this message's sender.</summary>
    internal sealed record Forward(IActorRef Target, object Message) : INoSerializationVerificationNeeded;
}
