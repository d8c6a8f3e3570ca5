using AkkaRlhf.Runtime;

namespace AkkaRlhf.Persistence;

/// <summary>Given to <c>ReceiveRecover</c> first when recovery starts from a snapshot: restore the state from it.</summary>
public sealed record SnapshotOffer(SnapshotMetadata Metadata, object Snapshot) : INoSerializationVerificationNeeded;
