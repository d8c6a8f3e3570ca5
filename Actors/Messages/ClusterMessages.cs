namespace AkkaRlhf.Actors.Messages;

/// <summary>
/// A role on a cluster node could not answer <paramref name="BatchId"/>: its model call threw (the node restarts the role;
/// the coordinator asks again). Only the reason crosses the wire, never an exception type.
/// </summary>
public sealed record WorkFailed(long BatchId, string Reason) : IBatchMessage;

/// <summary>
/// A cluster member's answer (<paramref name="Reply"/>) with what the member timed: <paramref name="Seconds"/> from the
/// request's arrival at its worker to the role's answer, of which <paramref name="WeightWaitSeconds"/> waiting for the policy
/// weights the request asked for. The coordinator's round trip minus <paramref name="Seconds"/> is messaging and
/// serialization. Only the coordinator's dispatcher sees it: the asker gets <paramref name="Reply"/>.
/// </summary>
public sealed record Served(object Reply, double Seconds, double WeightWaitSeconds);

/// <summary>
/// Policy weights by reference, for nodes that share storage: a safetensors file at <paramref name="Path"/> with its
/// SHA-256 (hex); the node verifies the hash before applying it. <paramref name="Rewind"/> as in <see cref="PolicyWeights"/>.
/// </summary>
public sealed record PolicyWeightsRef(long Version, string Path, string Sha256, bool Rewind);

/// <summary>
/// Policy weights offered for streaming: <paramref name="Length"/> bytes of safetensors in chunks of
/// <paramref name="ChunkSize"/>, pulled with <see cref="GetWeightsChunk"/> from the sender of the offer.
/// </summary>
public sealed record WeightsOffer(long Version, string Sha256, long Length, int ChunkSize, bool Rewind);

/// <summary>Asks the sender of a <see cref="WeightsOffer"/> for chunk <paramref name="Index"/> of <paramref name="Version"/>.</summary>
public sealed record GetWeightsChunk(long Version, int Index);

/// <summary>Chunk <paramref name="Index"/> of the weights of <paramref name="Version"/> (empty when that version is gone).</summary>
public sealed record WeightsChunk(long Version, int Index, ArraySegment<byte> Data);

/// <summary>How the work of one cluster role went (a coordinator's dispatcher counts it).</summary>
/// <param name="Sent">Requests the coordinator sent to the role.</param>
/// <param name="Completed">Requests answered (the first answer; a late one counts as a duplicate).</param>
/// <param name="Redispatched">Requests sent again to another member because theirs became unreachable or left.</param>
/// <param name="Lost">Requests never answered (the asker timed out).</param>
/// <param name="Duplicated">Answers that came after the request was already answered, dropped.</param>
public sealed record WorkAccounting(string Role, long Sent, long Completed, long Redispatched, long Lost, long Duplicated)
{
    /// <summary>The counts of several roles added up, under the role name "all".</summary>
    public static WorkAccounting Sum(IEnumerable<WorkAccounting> roles) => roles.Aggregate(new WorkAccounting("all", 0, 0, 0, 0, 0),
        (a, r) => new WorkAccounting("all", a.Sent + r.Sent, a.Completed + r.Completed, a.Redispatched + r.Redispatched, a.Lost + r.Lost,
            a.Duplicated + r.Duplicated));
}

/// <summary>Asks a role dispatcher for its <see cref="WorkAccounting"/>.</summary>
public sealed record GetWorkAccounting
{
    public static GetWorkAccounting Instance { get; } = new();
}

/// <summary>Asks a clustered run's coordinator to send its progress, so far and from now on, to the sender.</summary>
public sealed record FollowRun
{
    public static FollowRun Instance { get; } = new();
}

/// <summary>The coordinator's answer to <see cref="FollowRun"/>: its events follow, in order, from this sender.</summary>
public sealed record RunFollowed
{
    public static RunFollowed Instance { get; } = new();
}

/// <summary>A clustered run started or went on (sent by the run's coordinator to whoever follows it).</summary>
public sealed record RunBegan(string Stage, int Steps);

/// <summary>One iteration of a clustered run, with its metrics.</summary>
public sealed record RunStepped(string Stage, int Step, IReadOnlyDictionary<string, double> Metrics);

/// <summary>A clustered run ended: its model is in <paramref name="ModelDir"/>, or it failed with <paramref name="Error"/>.</summary>
public sealed record RunEnded(string Stage, string ModelDir, IReadOnlyDictionary<string, double> Summary, IReadOnlyList<WorkAccounting> Work, string? Error);
