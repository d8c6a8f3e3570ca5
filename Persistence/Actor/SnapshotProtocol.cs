using AkkaRlhf.Runtime;

namespace AkkaRlhf.Persistence;

/// <summary>Told to the actor itself when <c>SaveSnapshot</c> succeeded.</summary>
public sealed record SaveSnapshotSuccess(SnapshotMetadata Metadata) : INoSerializationVerificationNeeded;

/// <summary>Told to the actor itself when <c>SaveSnapshot</c> failed (also on timeout or an open breaker).</summary>
public sealed record SaveSnapshotFailure(SnapshotMetadata Metadata, Exception Cause) : INoSerializationVerificationNeeded;

/// <summary>Told to the actor itself when <c>DeleteSnapshot</c> succeeded.</summary>
public sealed record DeleteSnapshotSuccess(SnapshotMetadata Metadata) : INoSerializationVerificationNeeded;

/// <summary>Told to the actor itself when <c>DeleteSnapshot</c> failed.</summary>
public sealed record DeleteSnapshotFailure(SnapshotMetadata Metadata, Exception Cause) : INoSerializationVerificationNeeded;

/// <summary>Told to the actor itself when <c>DeleteSnapshots</c> succeeded.</summary>
public sealed record DeleteSnapshotsSuccess(SnapshotSelectionCriteria Criteria) : INoSerializationVerificationNeeded;

/// <summary>Told to the actor itself when <c>DeleteSnapshots</c> failed.</summary>
public sealed record DeleteSnapshotsFailure(SnapshotSelectionCriteria Criteria, Exception Cause) : INoSerializationVerificationNeeded;
