using AkkaRlhf.Runtime;

namespace AkkaRlhf.Persistence;

/// <summary>Given to <c>ReceiveRecover</c> once the snapshot and events have been applied, before the first command.</summary>
public sealed class RecoveryCompleted : INoSerializationVerificationNeeded
{
    private RecoveryCompleted() { }

    /// <summary>The single instance.</summary>
    public static RecoveryCompleted Instance { get; } = new();

    /// <inheritdoc />
    public override string ToString() => nameof(RecoveryCompleted);
}
