namespace AkkaRlhf.Runtime.Dispatch;

/// <summary>A user message and its sender, as queued in a mailbox.</summary>
public readonly record struct Envelope(object Message, IActorRef Sender);
