namespace AkkaRlhf.Runtime;

/// <summary>Kernel-internal user-queue messages (timer ticks) that never reach the actor as they are.</summary>
internal interface IInternalMessage : INoSerializationVerificationNeeded;

/// <summary>A death-watch <see cref="Terminated"/>, delivered unless the watch was cancelled meanwhile.</summary>
internal sealed record TerminatedNotice(Terminated Terminated) : IInternalMessage;

/// <summary>The receive-timeout timer fired for <paramref name="Generation"/>.</summary>
internal sealed record ReceiveTimeoutTick(int Generation) : IInternalMessage, INotInfluenceReceiveTimeout;
