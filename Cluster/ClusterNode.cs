using System.Collections.Concurrent;
using System.Buffers.Text;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using AkkaRlhf.Runtime;
using AkkaRlhf.Runtime.Serialization;

namespace AkkaRlhf.Cluster;

/// <summary>
/// The cluster extension of an <see cref="ActorSystem"/> (Akka's <c>Cluster</c>): joins the system to a
/// RabbitMQ broker as a node with an address (<c>akka.amqp://system@host:uid</c>) and roles.
/// <list type="bullet">
/// <item><see cref="ResolveActorRef"/>: a reference to an actor on any node (<see cref="RemoteActorRef"/> when remote);
/// a local sender travels as its cluster path, so replies come back through this node's queue. The node is the
/// system's <see cref="IRemoteActorRefProvider"/>: a reference inside a message body travels as its cluster path too
/// and resolves on the receiving node (to a <see cref="RemoteActorRef"/> back to this one), and the runtime's
/// <c>Ask</c> works with remote and role references.</item>
/// <item><see cref="RoleRouter"/>: work to a role's durable queue (competing consumers, at-least-once,
/// acknowledged only after the reply is confirmed); <see cref="RoleBroadcast"/>: a copy to each node of a role.</item>
/// <item><see cref="ServeRoleAsync"/>: a local actor takes the role's work and broadcasts.</item>
/// <item>Membership events on the event stream (<see cref="Subscribe"/>), weight broadcast
/// (<see cref="PublishWeightsAsync"/>, received as <see cref="WeightsReceived"/>), graceful <see cref="LeaveAsync"/>.</item>
/// </list>
/// The actors are the same as in a single process: only this extension and configuration change.
/// </summary>
public sealed class ClusterNode : ITransport, IRemoteActorRefProvider, IAsyncDisposable
{
    /// <summary>The protocol of cluster addresses.</summary>
    public const string Protocol = "akka.amqp";

    private static readonly ConditionalWeakTable<ActorSystem, ClusterNode> Nodes = new();

    private readonly RabbitMqTransport _transport;
    private readonly DuplicateFilter _duplicates;
    private readonly WeightAssembler _weights;
    private readonly ConcurrentDictionary<string, Remembered> _senders = new(StringComparer.Ordinal);
    private readonly ConditionalWeakTable<IActorRef, Remembered> _remembered = new();
    private readonly ConcurrentDictionary<string, RemoteAddress?> _addresses = new(StringComparer.Ordinal);
    private readonly string _idPrefix = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(12)) + ".";
    private string? _bytesManifest;
    private long _nextId;
    private readonly ConcurrentDictionary<string, IActorRef> _roleHandlers = new(StringComparer.Ordinal);
    private readonly string _selfAddressText;
    private IActorRef? _membership;
    private long _lastSweep;
    private int _left;

    private ClusterNode(ActorSystem system, ClusterSettings settings)
    {
        System = system;
        Settings = settings;
        SelfAddress = new Address(Protocol, system.Name, settings.Hostname, Random.Shared.Next(1, int.MaxValue));
        _selfAddressText = SelfAddress.ToString();
        Log = new ClusterLog(system, $"Cluster({SelfAddress})");
        _duplicates = new DuplicateFilter(settings.DuplicateWindow);
        _weights = new WeightAssembler(Log.Warning);
        _transport = new RabbitMqTransport(settings, Topology.NodeQueue(SelfAddress), $"akka-rlhf {SelfAddress}", Log)
        {
            OnNodeMessage = OnNodeMessageAsync,
            OnHeartbeat = OnHeartbeat,
            OnConnected = generation =>
            {
                System.EventStream.Publish(new ClusterEvent.BrokerConnected(generation));
                _membership?.Tell(new MembershipActor.ConnectionChanged(true), ActorRefs.NoSender);
            },
            OnDisconnected = reason =>
            {
                System.EventStream.Publish(new ClusterEvent.BrokerDisconnected(reason));
                _membership?.Tell(new MembershipActor.ConnectionChanged(false), ActorRefs.NoSender);
            },
        };
    }

    /// <summary>The actor system this node extends.</summary>
    public ActorSystem System { get; }

    /// <summary>The settings it joined with.</summary>
    public ClusterSettings Settings { get; }

    /// <summary>This node's cluster address (host = configured hostname, port = a random incarnation uid).</summary>
    public Address SelfAddress { get; }

    /// <summary>The roles this node announces: the configured ones and those served since.</summary>
    public IReadOnlyList<string> SelfRoles => Settings.Roles.Union(_roleHandlers.Keys, StringComparer.Ordinal).ToList();

    /// <summary>The members currently known (this node included once its first heartbeat came back).</summary>
    public IReadOnlyList<Member> Members { get; internal set; } = [];

    /// <summary>True while the broker connection is open.</summary>
    public bool IsConnected => _transport.IsConnected;

    Address ITransport.LocalAddress => SelfAddress;

    Address IRemoteActorRefProvider.Address => SelfAddress;

    internal ClusterLog Log { get; }

    /// <summary>
    /// Joins <paramref name="system"/> to the cluster: connects to the broker (waiting at most
    /// <paramref name="timeout"/>, default the broker's connection-timeout), declares this node's queue
    /// and starts heartbeats. One node per system.
    /// </summary>
    /// <exception cref="ClusterConfigurationException">Unsafe or invalid settings (e.g. guest off loopback).</exception>
    /// <exception cref="TimeoutException">The broker could not be reached in time (the message has the last error).</exception>
    public static async Task<ClusterNode> JoinAsync(ActorSystem system, ClusterSettings settings, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(system);
        settings.Validate();
        var node = new ClusterNode(system, settings);
        if (!Nodes.TryAdd(system, node)) throw new InvalidOperationException($"{system} has already joined a cluster.");
        try
        {
            system.RegisterRemoteActorRefProvider(node);
            node._membership = system.SystemActorOf(Props.CreateBy(() => new MembershipActor(node)), "cluster-membership");
            await node._transport.StartAsync(timeout ?? settings.Broker.ConnectionTimeout);
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }
        foreach (var role in settings.Roles) node.Log.Debug($"Announcing role {role}.");
        _ = system.WhenTerminated.ContinueWith(_ => node.DisposeAsync().AsTask(), TaskScheduler.Default);
        node.Log.Info($"Joined the cluster as {node.SelfAddress} with roles [{string.Join(",", settings.Roles)}] via {settings.Broker}.");
        return node;
    }

    /// <summary>The node of a system that has joined.</summary>
    /// <exception cref="InvalidOperationException">The system has not joined a cluster.</exception>
    public static ClusterNode Get(ActorSystem system) =>
        Nodes.TryGetValue(system, out var node) ? node : throw new InvalidOperationException($"{system} has not joined a cluster (ClusterNode.JoinAsync).");

    /// <summary>Sends <paramref name="subscriber"/> a <see cref="ClusterEvent.CurrentClusterState"/>, then the events of <paramref name="channels"/> (default: all member events).</summary>
    public void Subscribe(IActorRef subscriber, params Type[] channels)
    {
        if (channels.Length == 0) channels = [typeof(ClusterEvent.IMemberEvent)];
        _membership!.Tell(new MembershipActor.SubscribeRequest(subscriber, channels), ActorRefs.NoSender);
    }

    /// <summary>Cancels the subscriptions of <paramref name="subscriber"/>.</summary>
    public void Unsubscribe(IActorRef subscriber) => System.EventStream.Unsubscribe(subscriber);

    /// <summary>
    /// The actor at <paramref name="path"/>: local when its address is this node's (or local), a
    /// <see cref="RoleActorRef"/> for a role path (<c>akka.amqp://system@role:0/role/NAME</c>), otherwise remote.
    /// </summary>
    public IActorRef ResolveActorRef(ActorPath path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.Address.HasLocalScope || path.Address.Equals(SelfAddress)) return ResolveLocal(path.ToStringWithoutAddress());
        if (path.Address is { Host: "role", Port: 0 } && path.Elements is [var kind and ("role" or "broadcast"), var role] && Topology.IsValidName(role))
            return new RoleActorRef(this, role, broadcast: kind == "broadcast");
        return new RemoteActorRef(this, path);
    }

    /// <summary>The cluster-wide path of a local actor (what other nodes use to reach it).</summary>
    public ActorPath PathOf(IActorRef actor) =>
        actor.Path.Address.HasLocalScope ? ActorPath.Parse(SelfAddress + actor.Path.ToStringWithoutAddress()) : actor.Path;

    /// <summary>A reference in a message body: the path that reaches it through this node's queue (kept resolvable, like a sender).</summary>
    ActorPath IRemoteActorRefProvider.ExternalPathOf(IActorRef localActor) =>
        localActor.Path.Address.HasLocalScope ? ActorPath.Parse(RememberLocal(localActor)) : localActor.Path;

    /// <summary>A path read from a message body: this node's own and cluster paths resolve here; another protocol is not ours.</summary>
    IActorRef? IRemoteActorRefProvider.ResolveActorRef(ActorPath path) =>
        path.Address.Protocol == Protocol ? ResolveActorRef(path) : null;

    /// <summary>Sends work to whichever node serving <paramref name="role"/> takes it first (durable role queue).</summary>
    public RoleActorRef RoleRouter(string role)
    {
        Topology.CheckName(role, "role");
        return new RoleActorRef(this, role, broadcast: false);
    }

    /// <summary>Sends a copy to every node that serves <paramref name="role"/>.</summary>
    public RoleActorRef RoleBroadcast(string role)
    {
        Topology.CheckName(role, "role");
        return new RoleActorRef(this, role, broadcast: true);
    }

    /// <summary>
    /// Makes <paramref name="handler"/> serve <paramref name="role"/> on this node: it receives the role's
    /// work messages (its <c>Sender</c> is the requester; the work is acknowledged once the first reply to
    /// it is confirmed, or at once when the work has no sender) and the role's broadcasts.
    /// </summary>
    public Task ServeRoleAsync(string role, IActorRef handler)
    {
        Topology.CheckName(role, "role");
        if (!_roleHandlers.TryAdd(role, handler)) throw new InvalidOperationException($"This node already serves the role '{role}'.");
        var task = _transport.ServeRoleAsync(role, d => OnWorkAsync(handler, d));
        SendHeartbeat(leaving: false);
        return task;
    }

    /// <summary>
    /// Broadcasts weights to every node of <paramref name="role"/>: SHA-256 hashed, cut into chunks of
    /// <c>weights.chunk-size</c> (below the message size limit), tagged with <paramref name="version"/>.
    /// Receivers publish <see cref="WeightsReceived"/> once all chunks are in, the hash matches and the
    /// version is newer than the one they have. Completes when the broker has confirmed every chunk.
    /// </summary>
    public async Task PublishWeightsAsync(string role, string name, long version, ReadOnlyMemory<byte> data)
    {
        Topology.CheckName(role, "role");
        var sha = WeightAssembler.Hash(data.Span);
        var size = Settings.ChunkSize;
        var count = Math.Max(1, (int)((data.Length + (long)size - 1) / size));
        var sends = new List<Task>(count);
        var broadcast = NewId(); // chunk ids: this broadcast's id and the index (a republished chunk keeps its id; sending a version again makes new ones)
        for (var i = 0; i < count; i++)
        {
            var slice = data.Slice(i * size, Math.Min(size, data.Length - i * size)).ToArray();
            var header = ControlMessages.ToJson(new WeightChunk(name, version, i, count, data.Length, sha));
            sends.Add(PublishControl(Topology.BroadcastExchange, Topology.BroadcastKey(role), ControlMessages.WeightsRecipient,
                new SerializedMessage(ControlMessages.WeightChunkManifest, header, [slice]), $"{broadcast}/{i}"));
        }
        await Task.WhenAll(sends);
    }

    /// <summary>
    /// Broadcasts weights by reference to a checkpoint file that every node of <paramref name="role"/> can
    /// read (shared storage under their <c>akka.cluster.weights.shared-dir</c>): receivers read it (retrying while it
    /// is not visible yet), verify its SHA-256 and publish <see cref="WeightsReceived"/>. The hash is of
    /// <paramref name="written"/>, the bytes the caller wrote there, when given (no read back), else of the file.
    /// Sending the same version again is harmless (a node applies a version once), so a node that could not read it
    /// gets another chance.
    /// </summary>
    public Task PublishWeightReferenceAsync(string role, string name, long version, string checkpointPath, ReadOnlyMemory<byte>? written = null)
    {
        Topology.CheckName(role, "role");
        var path = Path.GetFullPath(checkpointPath);
        var sha = WeightAssembler.Hash(written is { } bytes ? bytes.Span : File.ReadAllBytes(path));
        var json = ControlMessages.ToJson(new WeightReference(name, version, path, sha));
        return PublishControl(Topology.BroadcastExchange, Topology.BroadcastKey(role), ControlMessages.WeightsRecipient,
            new SerializedMessage(ControlMessages.WeightReferenceManifest, json, []), NewId());
    }

    /// <inheritdoc />
    void ITransport.Send(ActorPath recipient, SerializedMessage message, ActorPath? sender)
    {
        var frame = new Frame(NewId(), recipient.ToStringWithoutAddress(), sender?.ToString() ?? "", message).Encode(Settings.MaxMessageSize);
        _ = _transport.PublishAsync(new Outgoing("", Topology.NodeQueue(recipient.Address), frame, Persistent: true));
    }

    /// <summary>Announces the departure (others publish MemberRemoved at once), then disconnects. Idempotent.</summary>
    public async Task LeaveAsync()
    {
        if (Interlocked.Exchange(ref _left, 1) != 0) return;
        if (_transport.IsConnected)
        {
            try { await SendHeartbeat(leaving: true).WaitAsync(TimeSpan.FromSeconds(2)); }
            catch (Exception e) when (e is TimeoutException or TaskCanceledException or OperationCanceledException) { }
        }
        System.UnregisterRemoteActorRefProvider(this);
        if (_membership is not null) System.Stop(_membership);
        await _transport.DisposeAsync();
        Nodes.Remove(System);
        Log.Info($"Left the cluster ({SelfAddress}).");
    }

    /// <summary>Same as <see cref="LeaveAsync"/>.</summary>
    public ValueTask DisposeAsync() => new(LeaveAsync());

    internal Task Publish(string exchange, string routingKey, string recipient, object message, IActorRef? sender, string? messageId, string? declareQueue = null)
    {
        var serialized = Serialize(message);
        var frame = new Frame(messageId ?? NewId(), recipient, ExternalPath(sender), serialized).Encode(Settings.MaxMessageSize);
        return _transport.PublishAsync(new Outgoing(exchange, routingKey, frame, Persistent: true, declareQueue));
    }

    internal Task SendHeartbeat(bool leaving)
    {
        var json = ControlMessages.ToJson(new Heartbeat(SelfAddress.ToString(), [.. SelfRoles], leaving));
        var frame = new Frame("", ControlMessages.HeartbeatRecipient, "", new SerializedMessage(ControlMessages.HeartbeatManifest, json, []));
        var task = _transport.PublishAsync(new Outgoing(Topology.HeartbeatExchange, "", frame.Encode(Settings.MaxMessageSize), Persistent: false, DropWhenDisconnected: true));
        _ = task.ContinueWith(t => _ = t.Exception, TaskContinuationOptions.OnlyOnFaulted);
        return task;
    }

    private Task PublishControl(string exchange, string routingKey, string recipient, SerializedMessage message, string messageId)
    {
        var frame = new Frame(messageId, recipient, _selfAddressText, message).Encode(Settings.MaxMessageSize);
        return _transport.PublishAsync(new Outgoing(exchange, routingKey, frame, Persistent: false));
    }

    private async Task OnNodeMessageAsync(Delivery delivery)
    {
        var frame = delivery.Frame;
        if (frame.Id.Length > 0 && _duplicates.Seen(frame.Id))
        {
            Log.Debug($"Dropped duplicate message {frame.Id} ('{frame.Message.Manifest}').");
            await delivery.Ack();
            return;
        }
        if (frame.Recipient == ControlMessages.WeightsRecipient) OnWeights(frame);
        else
        {
            var message = Deserialize(frame.Message);
            var sender = SenderRef(frame.Sender);
            if (frame.Recipient.StartsWith(ControlMessages.RolePrefix, StringComparison.Ordinal))
            {
                var role = frame.Recipient[ControlMessages.RolePrefix.Length..];
                if (_roleHandlers.TryGetValue(role, out var handler)) handler.Tell(message, sender);
                else Log.Warning($"Dropped a broadcast to role '{role}': this node does not serve it.");
            }
            else ResolveLocal(frame.Recipient).Tell(message, sender);
        }
        if (frame.Id.Length > 0) _duplicates.Record(frame.Id);
        await delivery.Ack();
    }

    private async Task OnWorkAsync(IActorRef handler, Delivery delivery)
    {
        var message = Deserialize(delivery.Frame.Message);
        var replyTo = SenderRef(delivery.Frame.Sender);
        if (replyTo is null)
        {
            handler.Tell(message, ActorRefs.NoSender);
            await delivery.Ack();
            return;
        }
        var replyId = "reply:" + (delivery.Frame.Id.Length > 0 ? delivery.Frame.Id : NewId());
        handler.Tell(message, new WorkReplyRef(System, replyTo, replyId, delivery.Ack, Log));
    }

    private void OnHeartbeat(Frame frame)
    {
        if (frame.Message.Manifest != ControlMessages.HeartbeatManifest) throw new MalformedFrameException($"Unexpected '{frame.Message.Manifest}' on the heartbeat exchange.");
        _membership?.Tell(new MembershipActor.HeartbeatReceived(ControlMessages.FromJson<Heartbeat>(frame.Message.Json)), ActorRefs.NoSender);
    }

    private void OnWeights(Frame frame)
    {
        switch (frame.Message.Manifest)
        {
            case ControlMessages.WeightChunkManifest when frame.Message.Payloads.Count == 1:
                var chunk = ControlMessages.FromJson<WeightChunk>(frame.Message.Json);
                lock (_weights) Announce(_weights.Add(chunk, frame.Message.Payloads[0]));
                break;
            case ControlMessages.WeightReferenceManifest:
                var reference = ControlMessages.FromJson<WeightReference>(frame.Message.Json);
                _ = Task.Run(() => ReadWeightsAsync(reference)); // off the node queue: replies keep flowing while a large file is read
                break;
            default:
                throw new MalformedFrameException($"'{frame.Message.Manifest}' is not a weight broadcast.");
        }
    }

    private async Task ReadWeightsAsync(WeightReference reference)
    {
        bool Wanted() { lock (_weights) return reference.Version > _weights.AppliedVersion(reference.Name); }
        var data = await SharedWeightReader.ReadAsync(reference, Settings.WeightsSharedDir, Wanted, Log.Warning);
        if (data is not null) lock (_weights) Announce(_weights.Add(reference, data));
    }

    private void Announce(WeightsReceived? received)
    {
        if (received is null) return;
        Log.Info($"Received weights {received.Name} v{received.Version} ({received.Data.Length} bytes, sha256 {received.Sha256[..12]}...).");
        System.EventStream.Publish(received);
    }

    /// <summary>
    /// The system's allow-list serialization, except that a <c>byte[]</c> travels as itself: the frame's one
    /// binary payload with an empty JSON (no base64), under the manifest the allow-list gives byte[].
    /// </summary>
    private SerializedMessage Serialize(object message) =>
        message is byte[] bytes
            ? new SerializedMessage(BytesManifest() ?? System.Serialization.ManifestFor(typeof(byte[])), [], [bytes])
            : System.Serialization.Serialize(message);

    /// <summary>byte[]'s allow-listed manifest, or null while it is not registered (a registration is permanent, so it is kept once found).</summary>
    private string? BytesManifest() =>
        _bytesManifest ??= System.Serialization.IsRegistered(typeof(byte[])) ? System.Serialization.ManifestFor(typeof(byte[])) : null;

    /// <summary>
    /// Reverses <see cref="Serialize"/>. Empty JSON is never a message of the system's serializer, so the binary
    /// form is unambiguous; it is taken only under byte[]'s allow-listed manifest, anything else goes through the allow-list.
    /// </summary>
    private object Deserialize(SerializedMessage message)
    {
        if (message is { Json.Length: 0, Payloads.Count: 1 } && BytesManifest() is { } bytes && message.Manifest == bytes)
            return message.Payloads[0];
        return System.Serialization.Deserialize(message);
    }

    private string ExternalPath(IActorRef? sender)
    {
        if (sender is null || ReferenceEquals(sender, System.DeadLetters)) return "";
        return sender.Path.Address.HasLocalScope ? RememberLocal(sender) : sender.Path.ToString();
    }

    /// <summary>Keeps a local reference resolvable by its path for replies (also references that are not kernel actors), and returns its cluster path.</summary>
    private string RememberLocal(IActorRef actor)
    {
        var now = Environment.TickCount64;
        // A long-lived actor (not an Ask's one-shot /temp reference) keeps its entry, so its path text is built once.
        if (_remembered.TryGetValue(actor, out var entry))
        {
            Volatile.Write(ref entry.Touched, now);
            if (!_senders.TryGetValue(entry.Local, out var current) || !ReferenceEquals(current, entry)) _senders[entry.Local] = entry;
            return entry.External;
        }
        var path = actor.Path;
        var local = path.ToStringWithoutAddress();
        entry = new Remembered(actor, local, _selfAddressText + local) { Touched = now };
        _senders[local] = entry;
        // An Ask's one-shot reference (/temp/...) is new every time: not kept by reference, and forgotten once its reply
        // arrives (ResolveLocal), so answered Asks and their replies are not kept alive until the sweep.
        if (path.Elements is not ["temp", _]) _remembered.AddOrUpdate(actor, entry);
        // Sweep at most once a second (not on every send once there are many: Count and the scan cost per message).
        var last = Volatile.Read(ref _lastSweep);
        if (now - last > 1_000 && Interlocked.CompareExchange(ref _lastSweep, now, last) == last && _senders.Count > 10_000)
            foreach (var (key, value) in _senders)
                if (now - Volatile.Read(ref value.Touched) > 600_000) _senders.TryRemove(key, out _);
        return entry.External;
    }

    private IActorRef? SenderRef(string path)
    {
        if (path.Length == 0) return null;
        // Fast path for an actor on another node: its address is parsed once per node; the path itself only when used.
        var sep = path.IndexOf("://", StringComparison.Ordinal);
        var slash = sep > 0 ? path.IndexOf('/', sep + 3) : -1;
        if (slash > 0 && IsPlain(path.AsSpan(slash)) && RemoteAt(path[..slash]) is { } remote)
            return new RemoteActorRef(this, path, remote, path[slash..]);
        if (!ActorPath.TryParse(path, out var parsed)) throw new MalformedFrameException($"'{path}' is not an actor path.");
        return ResolveActorRef(parsed);
    }

    /// <summary>True when <paramref name="elements"/> (<c>/a/b</c>) has no empty element, so it is already what parsing would normalize it to.</summary>
    private static bool IsPlain(ReadOnlySpan<char> elements) =>
        elements.Length > 1 && elements[^1] != '/' && elements.IndexOf("//", StringComparison.Ordinal) < 0;

    /// <summary>The address of another node (not this one, not a role or local address), parsed once; null for anything else.</summary>
    private RemoteAddress? RemoteAt(string addressText)
    {
        if (_addresses.TryGetValue(addressText, out var known)) return known;
        RemoteAddress? remote = null;
        try
        {
            var address = Address.Parse(addressText);
            if (!address.HasLocalScope && !address.Equals(SelfAddress) && address is not { Host: "role", Port: 0 })
                remote = new RemoteAddress(address, Topology.NodeQueue(address));
        }
        catch (FormatException) { }
        if (_addresses.Count < 10_000) _addresses.TryAdd(addressText, remote); // bounded: a forged stream of addresses is not remembered
        return remote;
    }

    private IActorRef ResolveLocal(string pathWithoutAddress)
    {
        if (!_senders.TryGetValue(pathWithoutAddress, out var known)) return System.ResolveActorRef(pathWithoutAddress);
        // An Ask's reference takes one reply; after it, the system resolves the path (to dead letters once the Ask is over).
        if (pathWithoutAddress.StartsWith("/temp/", StringComparison.Ordinal)) _senders.TryRemove(KeyValuePair.Create(pathWithoutAddress, known));
        return known.Ref;
    }

    /// <summary>
    /// A message id unique across nodes and incarnations: 96 random bits drawn once per node (base64url) and a
    /// counter (hex), e.g. <c>q3Z0l8m2Yb1xT4wA.1f</c>; cheaper than a Guid per message, and shorter.
    /// </summary>
    private string NewId()
    {
        var n = (ulong)Interlocked.Increment(ref _nextId);
        var digits = (67 - BitOperations.LeadingZeroCount(n)) / 4;
        return string.Create(_idPrefix.Length + digits, (_idPrefix, n), static (span, state) =>
        {
            state._idPrefix.CopyTo(span);
            state.n.TryFormat(span[state._idPrefix.Length..], out _, "x");
        });
    }

    /// <summary>A local actor that sent through this node, resolvable by its path for replies.</summary>
    private sealed class Remembered(IActorRef actor, string local, string external)
    {
        public IActorRef Ref { get; } = actor;
        public string Local { get; } = local;
        public string External { get; } = external;
        public long Touched;
    }
}
