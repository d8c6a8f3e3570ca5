using AkkaRlhf.Runtime.Dispatch;
using AkkaRlhf.Runtime.Event;

namespace AkkaRlhf.Runtime;

/// <summary>
/// Where undeliverable messages go (<c>/deadLetters</c>): each is published as a <see cref="DeadLetter"/>
/// on the event stream and, while <c>log-dead-letters</c> allows, logged.
/// </summary>
internal sealed class DeadLetterActorRef(ActorSystem system, ActorPath path) : InternalActorRef(system, path)
{
    private int _logged;

    public override bool IsTerminated => false;

    public override void Tell(object message, IActorRef? sender)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message is DeadLetter letter) Publish(letter);
        else Deliver(message, sender ?? this, this);
    }

    /// <summary>Records that <paramref name="message"/> could not reach <paramref name="recipient"/>.</summary>
    public void Deliver(object message, IActorRef sender, IActorRef recipient)
    {
        if (message is Identify identify)
        {
            if (sender != this) sender.Tell(new ActorIdentity(identify.MessageId, null), this);
            return;
        }
        Publish(new DeadLetter(message, sender, recipient));
    }

    public override void SendSystemMessage(SystemMessage message)
    {
        if (message is Watch w && w.Watcher != this) w.Watcher.SendSystemMessage(new DeathWatchNotification(w.Watchee));
    }

    private void Publish(DeadLetter letter)
    {
        System.EventStream.Publish(letter);
        var limit = System.Settings.LogDeadLetters;
        if (limit <= 0 || letter.Message is Terminated) return;
        var count = Interlocked.Increment(ref _logged);
        if (count > limit) return;
        var suffix = count == limit ? " No more dead letters will be logged (log-dead-letters limit)." : "";
        System.Log.Info(
            $"Message [{letter.Message.GetType().Name}] from {letter.Sender.Path} to {letter.Recipient.Path} was not delivered. " +
            $"[{count}] dead letters encountered.{suffix}");
    }
}
