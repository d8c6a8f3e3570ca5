using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using AkkaRlhf.Actors.Messages;
using AkkaRlhf.Actors.Pipeline;
using Akka.Actor;

namespace AkkaRlhf.Actors.Cluster;

/// <summary>
/// The trainer's <see cref="IRemoteRoles"/> over an Akka cluster: one <see cref="RoleDispatcher"/> per cluster role (work
/// at least once to the members with that role), and policy weights to every member of a role after each update, as a
/// hashed file reference when the nodes share storage (<c>akka-rlhf.cluster.weights.shared-dir</c>) or streamed in chunks
/// from a <see cref="WeightServer"/> otherwise. Versioned and verified on arrival; a late member gets the newest version.
/// </summary>
public sealed class ClusterRoles : IRemoteRoles
{
    private readonly IActorRefFactory _actors;
    private readonly ClusterSettings _settings;
    private readonly TimeSpan _timeout;
    private readonly IReadOnlySet<string> _stateful;
    private readonly string _name;
    private readonly Dictionary<string, IActorRef> _dispatchers = [];
    private readonly IActorRef _server;
    private readonly ConcurrentQueue<byte[]> _released = new();                     // buffers the weight server let go
    private (long Version, bool Rewind, object Message)? _last;
    private readonly ConditionalWeakTable<object, StrongBox<RemoteTiming>> _timings = new();   // by request, for as long as the request lives

    /// <param name="actors">Where the dispatchers live (the run's system or actor).</param>
    /// <param name="timeout">How long one request may wait for its answer.</param>
    /// <param name="statefulRoles">Roles whose work must all go to one member (a trained role: the critic).</param>
    /// <param name="name">A prefix for the dispatchers' names, unique in <paramref name="actors"/>.</param>
    public ClusterRoles(IActorRefFactory actors, ClusterSettings settings, TimeSpan timeout, IEnumerable<string> statefulRoles, string name = "cluster")
    {
        (_actors, _settings, _timeout, _stateful, _name) = (actors, settings, timeout, statefulRoles.ToHashSet(), name);
        _server = actors.ActorOf(WeightServer.Props(settings.WeightsChunkSize, _released), $"{name}-weights");
    }

    /// <inheritdoc />
    public IActorRef Router(string role)
    {
        lock (_dispatchers)
        {
            if (!_dispatchers.TryGetValue(role, out var dispatcher))
                _dispatchers[role] = dispatcher = _actors.ActorOf(RoleDispatcher.Props(role, _timeout, _stateful.Contains(role), _settings,
                    (request, timing) => _timings.AddOrUpdate(request, new StrongBox<RemoteTiming>(timing))), $"{_name}-{role}");
            return dispatcher;
        }
    }

    /// <inheritdoc />
    public void PublishWeights(string role, PolicyWeights weights)
    {
        object message;
        lock (_server)
        {
            if (_last is { } last && last.Version == weights.Version && last.Rewind == weights.Rewind) message = last.Message;   // sent again before a retry
            else
            {
                if (_settings.WeightsByReference)
                {
                    var path = Path.Combine(_settings.WeightsSharedDir, $"policy-v{weights.Version}.safetensors");
                    var sha = WeightFiles.WriteWhole(path, weights.State);
                    foreach (var old in Directory.GetFiles(_settings.WeightsSharedDir, "policy-v*.safetensors"))
                        if (long.TryParse(Path.GetFileNameWithoutExtension(old)["policy-v".Length..], out var v) && v < weights.Version - 1) File.Delete(old);
                    message = new PolicyWeightsRef(weights.Version, path, sha, weights.Rewind);
                }
                else
                {
                    _released.TryDequeue(out var free);
                    var (data, length) = WeightFiles.WriteInto(free, weights.State);
                    var sha = WeightFiles.Sha256(data.AsSpan(0, (int)length));
                    _server.Tell(new WeightServer.Hold(weights.Version, data, length));
                    message = new WeightsOffer(weights.Version, sha, length, _settings.WeightsChunkSize, weights.Rewind);
                }
                _last = (weights.Version, weights.Rewind, message);
            }
        }
        Router(role).Tell(new RoleDispatcher.ToAll(message, _server));
    }

    /// <inheritdoc />
    public RemoteTiming? TimingOf(object request) => _timings.TryGetValue(request, out var timing) ? timing.Value : null;

    /// <summary>Waits until every role of <paramref name="roles"/> has an available member.</summary>
    /// <exception cref="TimeoutException">A role has none after <paramref name="wait"/> (the message names them and how to start one).</exception>
    public async Task WaitForAsync(IReadOnlyCollection<string> roles, TimeSpan wait)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var missing = new List<string>();
            foreach (var role in roles)
                if (await Router(role).Ask<int>(RoleDispatcher.CountWorkers.Instance, TimeSpan.FromSeconds(10)) == 0) missing.Add(role);
            if (missing.Count == 0) return;
            if (clock.Elapsed > wait)
                throw new TimeoutException($"no cluster member with the role(s) {string.Join(", ", missing)} joined within {wait.TotalSeconds:0} s " +
                    $"(akka-rlhf.ppo.cluster-wait); start one with ./akka-rlhf node --roles {string.Join(",", missing)} --seed-nodes ...");
            await Task.Delay(200);
        }
    }

    /// <summary>The work accounting of every role so far.</summary>
    public async Task<IReadOnlyList<WorkAccounting>> AccountingAsync()
    {
        List<IActorRef> dispatchers;
        lock (_dispatchers) dispatchers = [.. _dispatchers.Values];
        return await Task.WhenAll(dispatchers.Select(d => d.Ask<WorkAccounting>(GetWorkAccounting.Instance, TimeSpan.FromSeconds(10))));
    }

    /// <summary>Stops the dispatchers and the weight server.</summary>
    public void Stop()
    {
        lock (_dispatchers)
            foreach (var d in _dispatchers.Values) d.Tell(PoisonPill.Instance);
        _server.Tell(PoisonPill.Instance);
    }
}
