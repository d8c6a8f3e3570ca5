namespace AkkaRlhf.Runtime.Event;

/// <summary>Published when <paramref name="Message"/> could not be delivered to <paramref name="Recipient"/> (e.g. it had stopped).</summary>
public sealed record DeadLetter(object Message, IActorRef Sender, IActorRef Recipient) : INoSerializationVerificationNeeded;

/// <summary>Published when <paramref name="Recipient"/> had no handler for <paramref name="Message"/>.</summary>
public sealed record UnhandledMessage(object Message, IActorRef Sender, IActorRef Recipient) : INoSerializationVerificationNeeded;
