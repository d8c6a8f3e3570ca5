using AkkaRlhf.Runtime;

namespace AkkaRlhf.Persistence;

/// <summary>Told to the actor itself when <c>DeleteMessages</c> succeeded.</summary>
public sealed record DeleteMessagesSuccess(long ToSequenceNr) : INoSerializationVerificationNeeded;

/// <summary>Told to the actor itself when <c>DeleteMessages</c> failed.</summary>
public sealed record DeleteMessagesFailure(Exception Cause, long ToSequenceNr) : INoSerializationVerificationNeeded;
