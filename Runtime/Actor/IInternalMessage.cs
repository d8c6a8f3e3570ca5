namespace AkkaRlhf.Runtime;

/// <summary>Kernel-internal user-queue messages (timer ticks) that never reach the actor as they are.</summary>
internal interface IInternalMessage : INoSerializationVerificationNeeded;

/// <summary>The receive-timeout timer fired for <paramref name="Generation"/>.</summary>
internal sealed record ReceiveTimeoutTick(int Generation) : IInternalMessage, INotInfluenceReceiveTimeout;
