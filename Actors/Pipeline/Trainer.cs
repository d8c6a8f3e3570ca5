using System.Diagnostics;
using AkkaRlhf.Actors.Messages;
using AkkaRlhf.Actors.Roles;
using AkkaRlhf.Models.Losses;
using Akka.Actor;
using Akka.Event;
using Akka.Routing;
using TorchSharp;
using static TorchSharp.torch;

namespace AkkaRlhf.Actors.Pipeline;

/// <summary>
/// The PPO coordinator. Each iteration, as in seeds 002-004:
/// <code>
/// prompts    = PromptSource.Ask(RequestPrompts)                // asked for while the previous batch generates
/// rollouts   = RolloutGenerators.Ask(GenerateRollouts)            // a pool, one slice each
/// ref, r, V  = ReferenceScorer, RewardScorer, Critic — in parallel
/// experience = KL-shaped rewards + GAE                             // ExperienceMaker
/// PpoLearner.Ask(TrainPolicy) and Critic.Ask(TrainCritic)          // in parallel
/// RolloutGenerators.Broadcast(new weights)                         // weight sync
/// </code>
/// Sync mode is on-policy. Async mode asks for the next rollouts before the learner trains on the
/// current ones, so generation overlaps learning; a batch more than <c>max-staleness</c> versions
/// behind the learner is dropped and regenerated. Every ask is retried with the same batch id on a
/// failure or a timeout. Replies <see cref="StageFinished"/> to <see cref="RunStage"/>.
/// Roles are the trainer's children, except those with <c>cluster.enabled = on</c>, which it reaches through
/// <see cref="IRemoteRoles"/> (a router to the cluster nodes of that role); the loop is the same.
/// </summary>
public sealed class Trainer : ReceiveActor
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    // a local role that failed for good (RoleSupervisor): every pending and later ask fails with its cause at once
    private readonly StageFailure _roleFailed = new();
    private readonly PpoSettings _settings;
    private readonly IProgressReporter _progress;
    private readonly Func<RolloutBatch, IReadOnlyDictionary<string, double>>? _observe;
    private readonly IActorRef _prompts, _generators, _reference, _reward, _learner;
    private readonly IActorRef? _critic;
    private readonly IRemoteRoles? _remote;
    private IKlController _kl;
    private readonly Durability? _durability;
    private readonly StageResume? _resume;
    private Models.Data.DataCursor? _cursor;
    private readonly int _generatorCount, _padId;
    private LearnerSpec _spec = new(true, 1);
    private long _nextBatchId, _version, _retries, _dropped;

    /// <param name="promptSource">A <see cref="PromptSource"/> (the trainer does not own the data).</param>
    /// <param name="observe">Extra metrics per rollout (e.g. the hidden true reward of the synthetic task).</param>
    /// <param name="durability">Journal and checkpoints of the run (null: not durable).</param>
    /// <param name="resume">The checkpoint to continue from (its prompt cursor must already be in <paramref name="promptSource"/>).</param>
    /// <param name="remote">How to reach the roles served by cluster nodes (needed when a role has <c>cluster.enabled = on</c>).</param>
    public static Props Props(PpoSettings settings, PpoModels models, IActorRef promptSource, IProgressReporter progress,
        RoleRegistry? registry = null, Func<RolloutBatch, IReadOnlyDictionary<string, double>>? observe = null,
        Durability? durability = null, StageResume? resume = null, IRemoteRoles? remote = null)
    {
        if (remote is null && settings.ClusterRoles.Count > 0)                         // fail here, not in the actor's constructor
            throw NotClustered(settings.Roles.First(r => r.Role.UseRole is not null).Block);
        return Akka.Actor.Props.Create(() => new Trainer(settings, models, promptSource, progress, registry ?? RoleRegistry.Default, observe, durability, resume, remote));
    }

    private static InvalidOperationException NotClustered(string block) =>
        new($"akka-rlhf.ppo.{block}.cluster.enabled = on, but this run is not part of a cluster (no IRemoteRoles; the CLI joins one for train ppo)");

    public Trainer(PpoSettings settings, PpoModels models, IActorRef promptSource, IProgressReporter progress, RoleRegistry registry,
        Func<RolloutBatch, IReadOnlyDictionary<string, double>>? observe, Durability? durability = null, StageResume? resume = null,
        IRemoteRoles? remote = null)
    {
        (_settings, _progress, _observe, _prompts, _durability, _resume, _remote) = (settings, progress, observe, promptSource, durability, resume, remote);
        _kl = settings.Kl.CreateController();
        _padId = models.Tokenizer.PadId;
        IActorRef Role(string name, RoleSettings role) => role.UseRole is { } clusterRole
            ? (remote ?? throw NotClustered(name)).Router(clusterRole)
            : Context.ActorOf(RoleSupervisor.Props(registry.Resolve(RoleContextOf(name, role, models, settings), Context.System), name, settings.Restarts,
                _roleFailed.Fail), name);
        _generators = Role("generator", settings.Generator);
        _generatorCount = Math.Max(1, settings.Generator.PoolSize);
        _reference = Role("reference", settings.Reference);
        _reward = Role("reward", settings.Reward);
        _learner = Role("learner", settings.Learner);
        _critic = models.Critic is null ? null : Role("critic", settings.Critic);

        ReceiveAsync<RunStage>(async run =>
        {
            var requester = Sender;
            try { await RunStage(run, requester); }
            catch (Exception e)
            {
                requester.Tell(new Status.Failure(e));                                 // the caller fails at once instead of waiting
                throw;
            }
        });
    }


    /// <summary>
    /// The context of role <paramref name="block"/> (generator, reference, reward, critic, learner) with its own seed
    /// stream: the same wherever the role runs, so a role served by a cluster node samples and trains as a local one.
    /// </summary>
    public static RoleContext RoleContextOf(string block, RoleSettings role, PpoModels models, PpoSettings settings)
    {
        var stream = block switch
        {
            "generator" => 1, "reference" => 2, "reward" => 3, "learner" => 4, "critic" => 5,
            _ => throw new ArgumentException($"not a PPO role block: {block}", nameof(block)),
        };
        return new RoleContext(block, role, models, settings, settings.Seed * 1000 + stream);
    }

    private async Task RunStage(RunStage run, IActorRef requester)
    {
        var settings = _settings;
        {
            _spec = await _learner.AskOrFail<LearnerSpec>(GetLearnerSpec.Instance, settings.AskTimeout, _roleFailed);
            if (_spec.UsesCritic && _critic is null) throw new InvalidOperationException("the learner needs a critic, and the run has no critic model");
            _progress.StageStarted("ppo", run.Steps);
            var start = _resume is null ? 0 : await Restore(_resume);
            var last = settings.Mode == PipelineMode.Sync ? await RunSync(start, run.Steps) : await RunAsync(start, run.Steps);
            _progress.StageCompleted("ppo", last);
            requester.Tell(new StageFinished(run.BatchId, "ppo", last));
        }
    }

    private async Task<Dictionary<string, double>> RunSync(int start, int iterations)
    {
        var metrics = new Dictionary<string, double>();
        for (var i = start + 1; i <= iterations; i++)
        {
            var clock = Stopwatch.StartNew();
            var rollout = await Rollout(more: i < iterations);
            for (var attempt = 1; rollout.PolicyVersion != _version; attempt++)         // a restarted generator
            {
                if (attempt > _settings.RetryAttempts)
                    throw new InvalidOperationException($"the generators still answer with policy version {rollout.PolicyVersion}, not {_version}");
                FreeRollout(rollout);                                                 // off-policy: never scored
                rollout = await Resync(more: i < iterations);
            }
            metrics = await Learn(rollout, clock.Elapsed.TotalSeconds);
            Report(i, metrics);
            await Record(i, iterations, metrics);
        }
        return metrics;
    }

    private async Task<Dictionary<string, double>> RunAsync(int start, int iterations)
    {
        var metrics = new Dictionary<string, double>();
        var next = Rollout(more: start + 1 < iterations);
        for (var i = start + 1; i <= iterations; i++)
        {
            var clock = Stopwatch.StartNew();
            var rollout = await next;
            while (_version - rollout.PolicyVersion > _settings.MaxStaleness)
            {
                _dropped++;
                FreeRollout(rollout);                                                 // never scored
                rollout = await Rollout(more: i < iterations);                        // too stale: regenerate
            }
            var generate = clock.Elapsed.TotalSeconds;                                // only the wait is on the critical path
            if (i < iterations) next = Rollout(more: i + 1 < iterations);             // generators keep producing with version v
            metrics = await Learn(rollout, generate);
            metrics["staleness"] = _version - 1 - rollout.PolicyVersion;
            Report(i, metrics);
            await Record(i, iterations, metrics);
        }
        return metrics;
    }

    /// <summary>
    /// Prompts, then one slice per generator, joined into one batch. <paramref name="more"/>: another rollout follows, so
    /// its prompts are asked for now, while this batch generates (off the iteration's critical path; the cursor a
    /// checkpoint keeps is still that of the prompts used).
    /// </summary>
    private async Task<RolloutBatch> Rollout(bool more)
    {
        var id = ++_nextBatchId;
        var prompts = await Prompts(id);
        _cursor = prompts.Cursor;
        if (more) _nextPrompts = (id + 1, Prompts(id + 1));
        var slices = prompts.Tokens.Chunk((prompts.Count + _generatorCount - 1) / _generatorCount).ToList();
        var version = _version;                                                       // the newest weights sent to the generators
        var generating = NewPhase();
        var parts = await Task.WhenAll(slices.Select((slice, k) =>
            Ask<RolloutBatch>(_generators, new GenerateRollouts(id, k, slice, _spec.SamplesPerPrompt, version), generating, resend: true)));
        if (Clustered) _rolloutTimings[id] = await generating.RemoteAsync();
        var ordered = parts.OrderBy(p => p.Part).ToList();
        var batch = SequenceBatch.Concat(ordered.Select(p => p.Batch).ToList(), _padId);
        var logProbs = SequenceBatch.ConcatResponses(ordered.Select(p => p.LogProbs).ToList(), batch.ResponseLength);
        if (ordered.Count > 1) foreach (var p in ordered) FreeRollout(p);            // the parts were joined into new tensors
        return new RolloutBatch(id, 0, batch, logProbs, ordered.Min(p => p.PolicyVersion));
    }

    private (long Id, Task<PromptBatch> Batch)? _nextPrompts;                       // asked for while the previous batch generated

    /// <summary>The prompts of batch <paramref name="id"/>: those already asked for, or asked now.</summary>
    private Task<PromptBatch> Prompts(long id)
    {
        if (_nextPrompts is { } next && next.Id == id)
        {
            _nextPrompts = null;
            return next.Batch;
        }
        var promptCount = Math.Max(1, _settings.PromptsPerIteration / _spec.SamplesPerPrompt);
        return Ask<PromptBatch>(_prompts, new RequestPrompts(id, promptCount));
    }

    /// <summary>Sends the newest weights again and regenerates (sync mode must be on-policy).</summary>
    private async Task<RolloutBatch> Resync(bool more)
    {
        _dropped++;
        if (_lastWeights is not null) SyncWeights(_lastWeights);
        return await Rollout(more);
    }

    /// <summary>Every generator gets the weights: a local pool through its router's Broadcast, cluster nodes through the weight broadcast.</summary>
    private void SyncWeights(PolicyWeights weights)
    {
        if (_settings.Generator.UseRole is { } role) _remote!.PublishWeights(role, weights);
        else _generators.Tell(_generatorCount > 1 ? new Broadcast(weights) : weights);
    }

    private PolicyWeights? _lastWeights;

    /// <summary>
    /// A weight snapshot this large is freed at once when the next one replaces it: its native memory goes only when the
    /// finalizers of its tensors run (the generators share the tensors rather than own them, so no role may dispose them),
    /// and a GC would not come soon by itself: the managed heap hardly grows. 64 MB: a 16M-parameter model in float32.
    /// (A sync learner replies the same state every update, its own tensors: then there is nothing to free, and no collection.)
    /// </summary>
    private const long CollectAfterBytes = 64L << 20;

    private static long Bytes(PolicyWeights weights) => weights.State.Values.Sum(t => t.NumberOfElements * t.ElementSize);

    /// <summary>
    /// Scores in parallel, makes the experience, updates learner and critic in parallel, syncs the weights.
    /// <paramref name="generated"/>: how long the trainer waited for <paramref name="rollout"/> (t_generate).
    /// </summary>
    private async Task<Dictionary<string, double>> Learn(RolloutBatch rollout, double generated)
    {
        var id = rollout.BatchId;
        var retries = _retries;
        var scoring = NewPhase();
        var reference = Ask<ReferenceLogProbs>(_reference, new ScoreReference(id, rollout.Batch), scoring);
        var reward = Ask<RewardScores>(_reward, new ScoreRewards(id, rollout.Batch), scoring);
        var values = _spec.UsesCritic ? Ask<ValueEstimates>(_critic!, new ComputeValues(id, rollout.Batch), scoring) : null;
        await Task.WhenAll(reference, reward, values ?? Task.CompletedTask);
        var score = scoring.Seconds;

        var oldValues = values is null ? null : (await values).Values;
        var (experience, metrics) = ExperienceMaker.Make(rollout, (await reference).LogProbs, (await reward).Scores, oldValues,
            _settings, _kl.Beta, _spec.SamplesPerPrompt);
        if (_observe is not null) foreach (var (k, v) in _observe(rollout)) metrics[k] = v;

        var training = NewPhase();
        // the learner is asked last: on the thread pool this thread runs the last role it sent to as soon as it is free,
        // while the other waits for a worker to wake, and the learner's update is the longer (bench/Pipeline/RESULTS.md)
        var critic = _spec.UsesCritic ? Ask<CriticUpdated>(_critic!, new TrainCritic(id, rollout.Batch, experience.Returns!, oldValues!), training) : null;
        var policy = Ask<PolicyUpdated>(_learner, new TrainPolicy(id, experience), training);
        await Task.WhenAll(policy, critic ?? Task.CompletedTask);
        var learn = training.Seconds;
        var updated = await policy;
        foreach (var (k, v) in updated.Metrics) metrics[k] = v;
        if (critic is not null) foreach (var (k, v) in (await critic).Metrics) metrics[k] = v;

        var clock = Stopwatch.StartNew();
        _version = updated.Version;
        var previous = _lastWeights;
        _lastWeights = updated.Weights;
        SyncWeights(updated.Weights);                                                 // weight sync: generators use the newest version
        if (previous is not null && !ReferenceEquals(previous.State, updated.Weights.State) && Bytes(previous) >= CollectAfterBytes)
            GC.Collect();                                                             // let its tensors' finalizers free the old version now
        _kl.Update(metrics["kl"], rollout.Batch.Count);
        metrics["t_generate"] = generated;
        metrics["t_score"] = score;
        metrics["t_learn"] = learn;
        metrics["t_sync"] = clock.Elapsed.TotalSeconds;
        if (Clustered)
        {
            var generate = _rolloutTimings.GetValueOrDefault(id);
            foreach (var old in _rolloutTimings.Keys.Where(k => k <= id).ToList()) _rolloutTimings.Remove(old);
            var (s, l) = (await scoring.RemoteAsync(), await training.RemoteAsync());
            // of the phases' wall times above (async mode: generation overlaps the previous update, and only its wait counts)
            metrics["t_messaging"] = Math.Min(generate.MessagingSeconds, generated) + s.MessagingSeconds + l.MessagingSeconds;
            metrics["t_weight_wait"] = generate.WeightWaitSeconds;
        }
        if (_retries == retries && !Clustered)
        {
            FreeRollout(rollout);
            Free(experience.RefLogProbs, experience.Scores, experience.Advantages, experience.Returns, oldValues);
        }
        return metrics;
    }

    /// <summary>
    /// Frees an iteration's message tensors once it is over: they are the trainer's (a role answers with tensors it keeps no
    /// use for, and a batch id is never asked again after its answer), and freed here their memory is reused by the next
    /// iteration instead of waiting in the roles' reply caches for the GC's finalizer thread (bench/Pipeline --messaging).
    /// Not freed, and left to the finalizer: weights (the generators keep using them), and an iteration's requests after a
    /// retry (a pooled scorer may still be working on the first attempt's copy) or sent to other nodes (remoting may
    /// still hold a copy for a member that became unreachable).
    /// </summary>
    private static void FreeRollout(RolloutBatch rollout) =>
        Free(rollout.Batch.Sequences, rollout.Batch.AttentionMask, rollout.Batch.ActionMask, rollout.LogProbs);

    private static void Free(params Tensor?[] tensors)
    {
        foreach (var t in tensors) t?.Dispose();
    }

    private readonly Dictionary<long, RemoteTiming> _rolloutTimings = [];          // the generate phase's, by batch id, until its iteration reports it

    /// <summary>Some role is served by other nodes (<see cref="IRemoteRoles"/>).</summary>
    private bool Clustered => _settings.ClusterRoles.Count > 0;

    /// <summary>A phase's clock; it tracks its asks only in a clustered run (the messaging between nodes is all it adds).</summary>
    private PhaseTimer NewPhase() => new(Clustered ? _remote : null);

    /// <summary>Journals iteration <paramref name="i"/>, and checkpoints every <c>Every</c> iterations and at the end.</summary>
    private async Task Record(int i, int iterations, Dictionary<string, double> metrics)
    {
        if (_durability is not { } d) return;
        d.Log.Iteration(i, _version, metrics);
        if (_cursor is { } c) d.Log.DataCursor("prompts", c.Epoch, c.Offset);
        if (i % Math.Max(1, d.Every) != 0 && i != iterations) return;

        var (temp, final) = StageCheckpoints.Begin(d.CheckpointRoot, i);
        var rngs = new Dictionary<string, ulong[]>
        {
            ["learner"] = (await _learner.AskOrFail<RoleStateSaved>(new SaveRoleState(Path.Combine(temp, "policy")), _settings.AskTimeout, _roleFailed)).Rng,
        };
        if (_critic is not null)
            rngs["critic"] = (await _critic.AskOrFail<RoleStateSaved>(new SaveRoleState(Path.Combine(temp, "critic")), _settings.AskTimeout, _roleFailed)).Rng;
        var state = new StageState(i, _cursor?.Epoch ?? 0, _cursor?.Offset ?? 0, new Dictionary<string, double>
        {
            ["batch_id"] = _nextBatchId, ["policy_version"] = _version, ["retries"] = _retries, ["dropped"] = _dropped, ["kl_beta"] = _kl.Beta,
        }, rngs);
        var sha = StageCheckpoints.Commit(temp, final, state);
        foreach (var (name, rng) in rngs) d.Log.Rng(name, StageCheckpoints.Bytes(rng));
        foreach (var old in await d.Log.CheckpointAsync(final, sha, i))
            if (Directory.Exists(old)) Directory.Delete(old, recursive: true);
    }

    /// <summary>Loads the learner's and critic's checkpoints, the trainer's counters and beta; returns the iteration to continue after.</summary>
    private async Task<int> Restore(StageResume resume)
    {
        var s = resume.State;
        var restored = await _learner.AskOrFail<RoleStateRestored>(
            new RestoreRoleState(Path.Combine(resume.Dir, "policy"), s.Rngs["learner"], TorchRng: true), _settings.AskTimeout, _roleFailed);
        if (_critic is not null)
            await _critic.AskOrFail<RoleStateRestored>(new RestoreRoleState(Path.Combine(resume.Dir, "critic"), s.Rngs["critic"], TorchRng: false), _settings.AskTimeout, _roleFailed);
        _nextBatchId = (long)s.Values["batch_id"];
        _version = restored.Version;
        _retries = (long)s.Values["retries"];
        _dropped = (long)s.Values["dropped"];
        _kl = (_settings.Kl with { Beta = s.Values["kl_beta"] }).CreateController();
        _cursor = s.Cursor;
        _lastWeights = restored.Weights!;
        SyncWeights(restored.Weights! with { Rewind = true });                        // generators may hold newer weights (a moved coordinator)
        return (int)s.Iteration;
    }

    /// <summary>Adds the run's counters so far (asks retried, stale or off-policy batches dropped) and reports the iteration.</summary>
    private void Report(int iteration, Dictionary<string, double> metrics)
    {
        metrics["retries"] = _retries;
        metrics["dropped_batches"] = _dropped;
        _progress.StepCompleted("ppo", iteration, metrics);
    }

    /// <param name="phase">The phase the ask is part of (its timing).</param>
    /// <param name="resend">Sends the newest weights again before a retry (a generator may be waiting for a lost broadcast).</param>
    private Task<T> Ask<T>(IActorRef target, IBatchMessage message, PhaseTimer? phase = null, bool resend = false)
    {
        var ask = AskWithRetry<T>(target, message, resend);
        return phase?.Track(message, ask) ?? ask;
    }

    private Task<T> AskWithRetry<T>(IActorRef target, IBatchMessage message, bool resend) =>
        target.AskWithRetry<T>(message, _settings.RetryAttempts, _settings.AskTimeout, (attempt, e) =>
        {
            _retries++;
            _log.Warning($"{message.GetType().Name} for batch {message.BatchId} failed (attempt {attempt}: {e.Message}); asking again");
            if (resend && _lastWeights is not null) SyncWeights(_lastWeights);
        }, _roleFailed, _settings.Restarts.Backoff);
}
