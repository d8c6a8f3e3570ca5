using AkkaRlhf.Actors.Messages;
using AkkaRlhf.Actors.Pipeline;
using System.Diagnostics;
using System.Security.Cryptography;
using Akka.Actor;
using Akka.Event;
using Akka.Routing;

namespace AkkaRlhf.Actors.Cluster;

/// <summary>
/// A cluster member's end of one role (<c>/user/rlhf-ROLE</c>): the role actor (the same one the trainer would host, under
/// a <see cref="RoleSupervisor"/>: a failing model call restarts it) answers each request of a <see cref="RoleDispatcher"/>;
/// a failure goes back as <see cref="WorkFailed"/> (a reason, never an exception type, crosses the wire), an answer as
/// <see cref="Served"/> with the time it took here (so the coordinator can tell messaging from work). Policy weights
/// arrive by reference (<see cref="PolicyWeightsRef"/>, read only under this node's shared directory, hash verified) or
/// streamed (<see cref="WeightsOffer"/>, pulled chunk by chunk from the offer's sender, asked again after <c>chunk-timeout</c>
/// without one, hash verified), are loaded off the
/// worker's thread and handed to the role as <see cref="PolicyWeights"/>; a version is applied whole or not at all.
/// A role that cannot be created or keeps failing stops the worker with an error log (the coordinator stops sending here).
/// </summary>
public sealed class RoleWorker : ReceiveActor, IWithTimers
{
    /// <summary>Bytes of chunk requests in flight while pulling streamed weights (at least 4 chunks).</summary>
    private const int InFlightBytes = 4 << 20;

    /// <summary>A version read and verified: how it came (<paramref name="How"/>, with its times) and the receive buffer to use again.</summary>
    private sealed record Loaded(PolicyWeights Weights, long Bytes, string Sha256, string How, byte[]? Buffer);
    private sealed record LoadFailed(long Version, string Reason, byte[]? Buffer);
    private sealed record RoleFailed(Exception Cause);
    private sealed record CheckPull
    {
        public static CheckPull Instance { get; } = new();
    }

    /// <summary>The role answered, <paramref name="Seconds"/> after it arrived (at <paramref name="Arrived"/>), a request needing policy <paramref name="NeedsVersion"/> (this node had <paramref name="HadVersion"/>).</summary>
    private sealed record Done(IActorRef Asker, long Arrived, double Seconds, long NeedsVersion, long HadVersion, object Reply);

    private sealed class Pull(WeightsOffer offer, IActorRef source, byte[] data)
    {
        public WeightsOffer Offer { get; } = offer;
        public IActorRef Source { get; } = source;
        public byte[] Data { get; } = data;
        public long Started { get; } = Stopwatch.GetTimestamp();
        public int Chunks { get; } = (int)((offer.Length + offer.ChunkSize - 1) / offer.ChunkSize);
        public HashSet<int> Received { get; } = [];
        public int Next { get; set; }

        /// <summary>When the last new chunk came (or the pull began).</summary>
        public long LastChunk { get; set; } = Stopwatch.GetTimestamp();

        /// <summary>The SHA-256 of the chunks received in order so far (<see cref="Hashed"/> of them): hashing goes along with the transfer.</summary>
        public IncrementalHash Sha256 { get; } = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        public int Hashed { get; set; }
    }

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly IActorRef _role;
    private readonly bool _pool;
    private readonly TimeSpan _timeout;
    private readonly string _sharedDir;
    private readonly Action<string> _print;
    private long _version = -1;
    private Pull? _pull;
    private (long Version, string Sha256, bool Rewind)? _pending;                     // the version being pulled, read or loaded
    private byte[]? _spare;                                                          // the last receive buffer: every version has the same size
    private readonly Dictionary<long, long> _appliedAt = [];                         // when each recent version was handed to the role (timestamps)
    private readonly TimeSpan _chunkTimeout;

    public ITimerScheduler Timers { get; set; } = null!;

    /// <param name="role">The cluster role (the worker is named after it).</param>
    /// <param name="roleProps">The role actor, as the trainer would build it.</param>
    /// <param name="pool">The role actor is a pool (weights go to every routee).</param>
    /// <param name="timeout">How long one request may take.</param>
    /// <param name="print">Where the worker writes one line per request and per weight version (the node's console).</param>
    public static Props Props(string role, Props roleProps, bool pool, RoleRestarts restarts, TimeSpan timeout, ClusterSettings settings,
        Action<string> print) =>
        Akka.Actor.Props.Create(() => new RoleWorker(role, roleProps, pool, restarts, timeout, settings, print));

    public RoleWorker(string role, Props roleProps, bool pool, RoleRestarts restarts, TimeSpan timeout, ClusterSettings settings, Action<string> print)
    {
        (_pool, _timeout, _sharedDir, _print, _chunkTimeout) = (pool, timeout, settings.WeightsSharedDir, print, settings.WeightsChunkTimeout);
        var self = Self;
        _role = Context.ActorOf(RoleSupervisor.Props(roleProps, role, restarts, cause => self.Tell(new RoleFailed(cause))), role);

        Receive<RoleFailed>(failed =>
        {
            _log.Error($"role {role} failed for good: {failed.Cause.Message}; this node no longer serves it");
            print($"error: role {role} failed for good: {failed.Cause.Message}");
            Context.Stop(Self);
        });
        Receive<PolicyWeightsRef>(r => Newer(r.Version, r.Rewind) && !Pending(r.Version, r.Sha256, r.Rewind), ReadReference);
        Receive<PolicyWeightsRef>(_ => { });
        Receive<WeightsOffer>(o => o.ChunkSize <= 0 || o.Length < 0, o => _log.Warning($"policy v{o.Version}: offer with chunk size {o.ChunkSize} and length {o.Length} refused"));
        Receive<WeightsOffer>(o => Newer(o.Version, o.Rewind) && !Pending(o.Version, o.Sha256, o.Rewind), o =>   // the same offer again (a retry): the pull goes on
        {
            _pull?.Sha256.Dispose();
            _pending = (o.Version, o.Sha256, o.Rewind);
            var reuse = _pull?.Data ?? _spare;                                       // an unfinished older version's buffer, or the last one
            var buffer = reuse is not null && reuse.LongLength >= o.Length ? reuse : new byte[o.Length];
            _spare = null;
            _pull = new Pull(o, Sender, buffer);
            Timers.StartPeriodicTimer("pull", CheckPull.Instance, _chunkTimeout);        // while a pull goes on (AskAgain ends it)
            for (var i = 0; i < Math.Max(4, InFlightBytes / o.ChunkSize); i++) RequestNext();
        });
        Receive<WeightsOffer>(_ => { });
        Receive<WeightsChunk>(Chunk);
        Receive<CheckPull>(_ => AskAgain());
        Receive<Loaded>(loaded =>
        {
            _spare ??= loaded.Buffer;
            if (!Pending(loaded.Weights.Version, loaded.Sha256, loaded.Weights.Rewind))                 // superseded while it loaded
            {
                foreach (var t in loaded.Weights.State.Values) t.Dispose();
                return;
            }
            _pending = null;
            _version = loaded.Weights.Version;
            _appliedAt[_version] = Stopwatch.GetTimestamp();
            _appliedAt.Remove(_version - 8);
            _role.Tell(_pool ? new Broadcast(loaded.Weights) : loaded.Weights);
            print($"policy v{loaded.Weights.Version} applied ({loaded.Bytes} bytes, sha256 {loaded.Sha256[..12]}, {loaded.How})" +
                (loaded.Weights.Rewind ? ", rewound" : ""));
        });
        Receive<LoadFailed>(f =>
        {
            _spare ??= f.Buffer;
            if (_pending?.Version == f.Version) _pending = null;
            _log.Error($"policy v{f.Version} not applied: {f.Reason}");
        });
        Receive<Done>(done =>
        {
            // done.Seconds ends at the role's answer: a wait in this mailbox (behind weight chunks) is the answer's messaging
            var weightWait = done.NeedsVersion > done.HadVersion && _appliedAt.TryGetValue(done.NeedsVersion, out var applied)
                ? Math.Clamp(Stopwatch.GetElapsedTime(done.Arrived, applied).TotalSeconds, 0, done.Seconds) : 0;
            done.Asker.Tell(done.Reply is WorkFailed ? done.Reply : new Served(done.Reply, done.Seconds, weightWait));
        });
        ReceiveAny(request =>
        {
            var (asker, arrived, had) = (Sender, Stopwatch.GetTimestamp(), _version);
            var batch = (request as IBatchMessage)?.BatchId ?? 0;
            var needs = (request as GenerateRollouts)?.MinPolicyVersion ?? 0;
            print($"{role}: {Describe(request)}");
            _role.Ask(request, _timeout).ContinueWith(t => new Done(asker, arrived, Stopwatch.GetElapsedTime(arrived).TotalSeconds, needs, had, t.IsCompletedSuccessfully ? t.Result
                : new WorkFailed(batch, t.Exception?.GetBaseException().Message ?? "cancelled")), TaskScheduler.Default).PipeTo(Self);
        });
    }

    private bool Newer(long version, bool rewind) => version > _version || rewind;

    private bool Pending(long version, string sha256, bool rewind) => _pending == (version, sha256, rewind);

    protected override void PostStop() => _pull?.Sha256.Dispose();

    private static string Ms(long since) => $"{Stopwatch.GetElapsedTime(since).TotalMilliseconds:0} ms";

    /// <summary>Reads a weights file under the shared directory off this thread, and verifies its hash.</summary>
    private void ReadReference(PolicyWeightsRef r)
    {
        var path = Path.GetFullPath(r.Path);
        if (_sharedDir.Length == 0 || !path.StartsWith(_sharedDir.TrimEnd('/') + "/", StringComparison.Ordinal))
        {
            _log.Warning($"policy v{r.Version}: {path} is not under this node's akka-rlhf.cluster.weights.shared-dir ({_sharedDir}); refused");
            return;
        }
        _pending = (r.Version, r.Sha256, r.Rewind);
        var started = Stopwatch.GetTimestamp();
        Task.Run(() => WeightFiles.ReadVerified(path, r.Sha256)).ContinueWith<object>(t => t.IsCompletedSuccessfully
            ? new Loaded(new PolicyWeights(r.Version, t.Result, r.Rewind), new FileInfo(path).Length, r.Sha256, $"read in {Ms(started)}", null)
            : new LoadFailed(r.Version, t.Exception!.GetBaseException().Message, null), TaskScheduler.Default).PipeTo(Self);
    }

    private void Chunk(WeightsChunk chunk)
    {
        if (_pull is not { } pull || chunk.Version != pull.Offer.Version) return;          // an older version's chunk
        if (chunk.Data.Count == 0)
        {
            _log.Warning($"policy v{chunk.Version}: superseded at the source before it was complete");
            _spare = pull.Data;
            pull.Sha256.Dispose();
            _pull = null;
            return;
        }
        if (chunk.Index < 0 || chunk.Index >= pull.Chunks) return;
        var offset = (long)chunk.Index * pull.Offer.ChunkSize;
        var expected = (int)Math.Min(pull.Offer.ChunkSize, pull.Offer.Length - offset);
        if (chunk.Data.Count != expected || !pull.Received.Add(chunk.Index)) return;
        pull.LastChunk = Stopwatch.GetTimestamp();
        chunk.Data.AsSpan().CopyTo(pull.Data.AsSpan((int)offset));
        for (; pull.Received.Contains(pull.Hashed); pull.Hashed++)
        {
            var from = (long)pull.Hashed * pull.Offer.ChunkSize;
            pull.Sha256.AppendData(pull.Data, (int)from, (int)Math.Min(pull.Offer.ChunkSize, pull.Offer.Length - from));
        }
        if (pull.Received.Count < pull.Chunks)
        {
            RequestNext();
            return;
        }
        _pull = null;
        var offer = pull.Offer;
        var streamed = $"streamed and hashed in {Ms(pull.Started)}";
        var sha256 = Convert.ToHexStringLower(pull.Sha256.GetHashAndReset());
        pull.Sha256.Dispose();
        var loading = Stopwatch.GetTimestamp();
        Task.Run(() =>
        {
            WeightFiles.Check(sha256, offer.Sha256, $"policy v{offer.Version} (streamed)");
            return WeightFiles.StateOf(pull.Data, offer.Length);
        }).ContinueWith<object>(t => t.IsCompletedSuccessfully
            ? new Loaded(new PolicyWeights(offer.Version, t.Result, offer.Rewind), offer.Length, offer.Sha256, $"{streamed}, loaded in {Ms(loading)}", pull.Data)
            : new LoadFailed(offer.Version, t.Exception!.GetBaseException().Message, pull.Data), TaskScheduler.Default).PipeTo(Self);
    }

    /// <summary>
    /// No new chunk for <c>chunk-timeout</c>: the requests in flight are asked again (a request or its chunk can be lost when
    /// the connection between the nodes drops and comes back; a chunk that then comes twice is taken once).
    /// </summary>
    private void AskAgain()
    {
        if (_pull is not { } pull)
        {
            Timers.Cancel("pull");
            return;
        }
        if (Stopwatch.GetElapsedTime(pull.LastChunk) < _chunkTimeout) return;
        var missing = Enumerable.Range(0, pull.Next).Where(i => !pull.Received.Contains(i)).ToList();
        _log.Warning($"policy v{pull.Offer.Version}: no chunk for {_chunkTimeout.TotalSeconds:0.#} s; asking again for {missing.Count} chunk(s)");
        foreach (var i in missing) pull.Source.Tell(new GetWeightsChunk(pull.Offer.Version, i));
        pull.LastChunk = Stopwatch.GetTimestamp();
    }

    private void RequestNext()
    {
        if (_pull is not { } pull || pull.Next >= pull.Chunks) return;
        pull.Source.Tell(new GetWeightsChunk(pull.Offer.Version, pull.Next++));
    }

    /// <summary>A request in one line (what a worker prints per request served, the specs and an operator read).</summary>
    public static string Describe(object request) => request switch
    {
        GenerateRollouts g => $"batch {g.BatchId} part {g.Part} ({g.Prompts.Count} prompts, policy >= v{g.MinPolicyVersion})",
        IBatchMessage b => $"{request.GetType().Name} batch {b.BatchId}",
        _ => request.GetType().Name,
    };
}
