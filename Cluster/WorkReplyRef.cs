using AkkaRlhf.Runtime;

namespace AkkaRlhf.Cluster;

/// <summary>
/// The <c>Sender</c> a role actor sees for a work message taken from a role queue. The first message
/// told to it (the reply) is published with an id derived from the work message's id, and the work
/// message is acknowledged only once the broker has confirmed that reply: a node that dies before
/// replying has its batch redelivered elsewhere, and a reply sent twice (the batch was redelivered
/// after the reply left) carries the same id and is dropped at the receiver.
/// </summary>
internal sealed class WorkReplyRef(ActorSystem system, IActorRef replyTo, string replyId, Func<Task> ack, ClusterLog log) : IRemoteActorRef
{
    private int _replied;

    public ActorPath Path => replyTo.Path;

    public ActorSystem System => system;

    public void Tell(object message, IActorRef? sender)
    {
        if (Interlocked.Exchange(ref _replied, 1) != 0)
        {
            replyTo.Tell(message, sender);
            return;
        }
        if (replyTo is RemoteActorRef remote)
        {
            remote.Send(message, sender, replyId).ContinueWith(t =>
            {
                if (t.IsCompletedSuccessfully) return ack();
                log.Warning($"The reply to {replyTo.Path} was not confirmed ({t.Exception?.GetBaseException().Message ?? "cancelled"}); its work message will be redelivered.");
                return Task.CompletedTask;
            }, TaskScheduler.Default).Unwrap();
        }
        else
        {
            replyTo.Tell(message, sender);
            _ = ack();
        }
    }

    public override bool Equals(object? obj) => obj is WorkReplyRef other ? other.Path.Equals(Path) : obj is IActorRef r && r.Path.Equals(Path);

    public override int GetHashCode() => Path.GetHashCode();

    public override string ToString() => $"[{Path}]";
}
