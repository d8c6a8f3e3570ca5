using AkkaRlhf.Actors.Messages;
using AkkaRlhf.Actors.Pipeline;
using AkkaRlhf.Models;
using Akka.Actor;
using TorchSharp;
using static TorchSharp.torch;

namespace AkkaRlhf.Actors.Roles;

/// <summary>
/// Generates responses with the newest policy weights it has received (older weights are ignored, unless they rewind it
/// to a resumed run's checkpoint).
/// Replies the sequences, the sampled tokens' log-probs and the policy version used. Each request
/// samples from its own seed (derived from the batch id and part), so results do not depend on which
/// generator of the pool served it. Run several as a pool: <c>Props(...).WithRouter(new RoundRobinPool(n))</c>.
/// A request for a newer policy than the one held is stashed until its weights arrive.
/// </summary>
public sealed class RolloutGenerator : RoleActor, IWithStash
{
    private readonly GptLM _policy;
    private long _version;
    private IReadOnlyDictionary<string, Tensor>? _reading;                         // the weights whose tensors the policy reads itself

    /// <summary>
    /// Each instance (each routee of a pool, each restart) owns a copy of <paramref name="initialPolicy"/> on <paramref name="device"/>,
    /// or, when <paramref name="frozenInitial"/> (the weights never change: the SFT model), reads its tensors until the first sync.
    /// </summary>
    public static Props Props(GptLM initialPolicy, GeneratorSettings settings, int padId, int? eosId, long seed, Device device, long initialVersion = 0,
        bool frozenInitial = false, int torchThreads = 0) =>
        Akka.Actor.Props.Create(() => new RolloutGenerator(initialPolicy, settings, padId, eosId, seed, device, initialVersion, frozenInitial, torchThreads));

    /// <param name="initialPolicy">Copied here, in the constructor: Akka evaluates a Props' arguments once, so a copy made
    /// there would be shared by every routee of a pool.</param>
    public RolloutGenerator(GptLM initialPolicy, GeneratorSettings settings, int padId, int? eosId, long seed, Device device, long initialVersion = 0,
        bool frozenInitial = false, int torchThreads = 0) : base(device, torchThreads)
    {
        _policy = frozenInitial ? ModelCopies.Alias(initialPolicy, device) : ModelCopies.Clone(initialPolicy, device);
        _policy.eval();
        _version = initialVersion;
        var sampling = Sampling(settings, padId, eosId);

        Receive<PolicyWeights>(weights =>
        {
            if (weights.Version <= _version && !weights.Rewind) return;               // only ever move forward, unless told to go back
            if (weights.Rewind) ForgetReplies();                                      // the batch ids after the checkpoint come again
            // a sync learner's next versions are the same tensors, trained in place: read already
            if (!ReferenceEquals(weights.State, _reading)) _reading = ModelCopies.LoadWeights(_policy, weights.State) ? weights.State : null;
            _version = weights.Version;
            Stash.UnstashAll();
        });

        Receive<GenerateRollouts>(request => request.MinPolicyVersion > _version, _ => Stash.Stash());   // its weights are on the way

        ReceiveBatch<GenerateRollouts>(request =>
        {
            var (batch, logProbs) = GenerateInPasses(_policy, request.Prompts, request.SamplesPerPrompt, settings.MicroBatchSize,
                sampling with { Seed = SeedOf(seed, request.BatchId, request.Part) }, padId, Device);
            return new RolloutBatch(request.BatchId, request.Part, batch, logProbs, _version);
        }, key: r => (r.BatchId, r.Part));
    }

    /// <summary>
    /// <see cref="Generate"/> in passes of at most <paramref name="microBatchSize"/> sequences (whole prompts with all their
    /// samples; 0 = one pass), joined in order: the first pass samples from <paramref name="sampling"/>'s seed, pass k
    /// from a seed mixed from it and k. Only one pass's KV cache exists at a time.
    /// </summary>
    public static (SequenceBatch Batch, Tensor LogProbs) GenerateInPasses(GptLM policy, IReadOnlyList<int[]> prompts, int samplesPerPrompt,
        int microBatchSize, GenerationConfig sampling, int padId, Device device)
    {
        var passes = Minibatches.Micro(prompts, microBatchSize <= 0 ? 0 : Math.Max(1, microBatchSize / samplesPerPrompt));
        if (passes.Count == 1) return Generate(policy, prompts, samplesPerPrompt, sampling, padId, device);
        var parts = passes.Select((pass, k) => Generate(policy, pass, samplesPerPrompt,
            k == 0 ? sampling : sampling with { Seed = unchecked(sampling.Seed!.Value * 0x9E3779B97F4A7C15UL + (ulong)k) }, padId, device)).ToList();
        var batch = SequenceBatch.Concat(parts.Select(p => p.Batch).ToList(), padId);
        var logProbs = SequenceBatch.ConcatResponses(parts.Select(p => p.LogProbs).ToList(), batch.ResponseLength);
        foreach (var (b, lp) in parts) { b.Sequences.Dispose(); b.AttentionMask.Dispose(); b.ActionMask.Dispose(); lp.Dispose(); }
        return (batch, logProbs);
    }

    /// <summary>How a generator with <paramref name="settings"/> samples (no seed yet: each request sets its own).</summary>
    public static GenerationConfig Sampling(GeneratorSettings settings, int padId, int? eosId) => new()
    {
        MaxNewTokens = settings.MaxNewTokens, Temperature = settings.Temperature, TopK = settings.TopK,
        EosTokenId = eosId, PadTokenId = padId,
    };

    /// <summary>
    /// One request's work: every prompt <paramref name="samplesPerPrompt"/> times, sampled by <paramref name="policy"/> on
    /// <paramref name="device"/> with <paramref name="sampling"/> (its seed set); the sequences and the sampled tokens'
    /// log-probs as CPU copies owned by no dispose scope.
    /// </summary>
    public static (SequenceBatch Batch, Tensor LogProbs) Generate(GptLM policy, IReadOnlyList<int[]> prompts, int samplesPerPrompt,
        GenerationConfig sampling, int padId, Device device)
    {
        using var scope = torch.NewDisposeScope();
        var rows = prompts.SelectMany(p => Enumerable.Repeat<IReadOnlyList<int>>(p, samplesPerPrompt)).ToList();
        var (ids, mask) = Batch.LeftPad(rows, padId);
        (ids, mask) = (ids.to(device), mask.to(device));
        using var generation = Sampler.Generate(policy, ids, mask, sampling);
        var batch = new SequenceBatch(
            Scoring.Outgoing(torch.cat([ids, generation.tokens], 1)),
            Scoring.Outgoing(torch.cat([mask, generation.mask.to(ScalarType.Int64)], 1)),
            Scoring.Outgoing(generation.mask),
            (int)ids.size(1));
        return (batch, Scoring.Outgoing(generation.logprobs));
    }

    public IStash Stash { get; set; } = null!;

    /// <summary>The sampling seed of one request: a mix of the run's seed, the batch id and the part.</summary>
    public static ulong SeedOf(long seed, long batchId, int part) =>
        unchecked((ulong)seed * 0x9E3779B97F4A7C15UL ^ (ulong)batchId * 0xBF58476D1CE4E5B9UL ^ (ulong)(part + 1) * 0x94D049BB133111EBUL);
}
