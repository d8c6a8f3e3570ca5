using AkkaRlhf.Runtime;

namespace AkkaRlhf.TestKit.Internal;

/// <summary>Asks the test actor to watch or unwatch an actor; it answers <see cref="WatchAck"/>.</summary>
internal sealed record WatchCommand(IActorRef Subject, bool Watch) : INoSerializationVerificationNeeded;

/// <summary>The answer to <see cref="WatchCommand"/>.</summary>
internal sealed record WatchAck : INoSerializationVerificationNeeded;

/// <summary>A real actor whose messages (with their senders) go to the test's queue; it can watch actors.</summary>
internal sealed class TestActor(TestActorQueue queue) : UntypedActor
{
    protected override void OnReceive(object message)
    {
        if (message is WatchCommand command)
        {
            if (command.Watch) Context.Watch(command.Subject);
            else Context.Unwatch(command.Subject);
            Sender.Tell(new WatchAck(), Self);
            return;
        }
        queue.Add(new ReceivedMessage(message, Sender));
    }
}
