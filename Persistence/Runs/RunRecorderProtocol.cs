using Akka.Actor;

namespace AkkaRlhf.Persistence.Runs;

/// <summary>
/// The reply of <see cref="RunRecorder"/> once an event is in the journal: its sequence number, and the checkpoint
/// paths the retention policy gave up (delete those files; empty for other events).
/// </summary>
public sealed record RunEventRecorded(long SequenceNr, IReadOnlyList<string> CheckpointsToDelete) : INoSerializationVerificationNeeded;

/// <summary>Asks a <see cref="RunRecorder"/> for its <see cref="RunState"/>.</summary>
public sealed class GetRunState : INoSerializationVerificationNeeded
{
    private GetRunState() { }

    /// <summary>The single instance.</summary>
    public static GetRunState Instance { get; } = new();
}
