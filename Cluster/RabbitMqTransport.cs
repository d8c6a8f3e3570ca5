using System.Collections.Concurrent;
using System.Security.Authentication;
using System.Threading.Channels;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace AkkaRlhf.Cluster;

/// <summary>
/// The AMQP side of a node: one connection (re-opened with exponential backoff when lost), a
/// publisher loop with publisher confirms (unconfirmed messages are published again after a
/// reconnect: at-least-once, duplicates carry the same message id), and consumers for the node
/// queue, the heartbeat queue and the work queue of every served role. Frames that do not decode
/// are rejected (nack, no requeue) with an error log; the consumer keeps serving.
/// The node queue is consumed on the publishing channel (the node channel), the others on a channel each:
/// a request published and its reply consumed on one channel measured faster round trips (bench/Cluster).
/// </summary>
internal sealed class RabbitMqTransport : IAsyncDisposable
{
    /// <summary>Most messages published and not yet confirmed.</summary>
    private const int Window = 1024;

    /// <summary>
    /// A caller publishes inline only while fewer messages than this are unconfirmed (a lightly loaded node,
    /// where the hop to the publisher loop is most of the cost); in a burst the loop publishes, so the
    /// senders' threads go back to serializing while it publishes.
    /// </summary>
    private const int InlineBelow = 32;

    private readonly ClusterSettings _settings;
    private readonly ClusterLog _log;
    private readonly ConnectionFactory _factory;
    private readonly string _nodeQueue;
    private readonly string _clientName;
    private readonly Channel<Pending> _outbox = Channel.CreateUnbounded<Pending>(); // counts its items (an inline publish needs it empty)
    private readonly ConcurrentQueue<Pending> _retry = new();
    private readonly SemaphoreSlim _window = new(Window, Window);

    /// <summary>
    /// Held by whoever publishes (the publisher loop, or a caller publishing inline) from taking the next
    /// message until the client has accepted it: messages are dequeued only under it, so an inline publish,
    /// which needs the outbox and the retry queue empty, can never overtake a message queued before it.
    /// </summary>
    private readonly SemaphoreSlim _publishing = new(1, 1);
    private readonly ConcurrentDictionary<string, Func<Delivery, Task>> _roles = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly object _gate = new();
    private TaskCompletionSource<BrokerSession> _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private BrokerSession? _session;
    private string _lastError = "not tried yet";
    private Task _connectionLoop = Task.CompletedTask;
    private Task _publisherLoop = Task.CompletedTask;
    private volatile bool _stopping;

    public RabbitMqTransport(ClusterSettings settings, string nodeQueue, string clientName, ClusterLog log)
    {
        _settings = settings;
        _nodeQueue = nodeQueue;
        _clientName = clientName;
        _log = log;
        _factory = CreateFactory(settings.Broker);
    }

    /// <summary>A message arrived on the node queue (settle it through the delivery).</summary>
    public Func<Delivery, Task> OnNodeMessage { get; set; } = d => d.Ack();

    /// <summary>A heartbeat arrived.</summary>
    public Action<Frame> OnHeartbeat { get; set; } = _ => { };

    /// <summary>Connected (first time or again), with the session generation.</summary>
    public Action<int> OnConnected { get; set; } = _ => { };

    /// <summary>The connection was lost, with the reason.</summary>
    public Action<string> OnDisconnected { get; set; } = _ => { };

    /// <summary>Name of this node's queue.</summary>
    public string NodeQueue => _nodeQueue;

    /// <summary>True while a connection is open.</summary>
    public bool IsConnected => Volatile.Read(ref _session) is { IsClosed: false };

    /// <summary>Starts the loops and waits for the first connection.</summary>
    /// <exception cref="TimeoutException">No connection within <paramref name="timeout"/> (the message has the last error).</exception>
    public async Task StartAsync(TimeSpan timeout)
    {
        _connectionLoop = Task.Run(RunConnectionLoopAsync);
        _publisherLoop = Task.Run(RunPublisherLoopAsync);
        var first = ConnectedAsync(_stop.Token);
        if (await Task.WhenAny(first, Task.Delay(timeout)) != first)
            throw new TimeoutException($"Could not connect to the broker {_settings.Broker} within {timeout.TotalSeconds:0.#} s: {_lastError}");
    }

    /// <summary>
    /// Publishes a message; the task completes when the broker confirms it. When nothing is queued ahead of
    /// it, the connection is open and the confirm window has room, the caller publishes it at once (no hop
    /// to the publisher loop; the client's socket writer still sends it); otherwise it is queued for the
    /// publisher loop. Either way it is tracked for its confirm and published again after a reconnect.
    /// </summary>
    public Task PublishAsync(Outgoing message)
    {
        var pending = new Pending(message);
        if (!TryPublishInline(pending) && !_outbox.Writer.TryWrite(pending))
            pending.Fail(new ObjectDisposedException(nameof(RabbitMqTransport), "The cluster node has stopped."));
        return pending.Confirmed;
    }

    private bool TryPublishInline(Pending pending)
    {
        if (_stopping || !NothingQueued() || !_publishing.Wait(0)) return false;
        if (!_stopping && NothingQueued() && _window.CurrentCount > Window - InlineBelow && Volatile.Read(ref _session) is { IsClosed: false } session && _window.Wait(0))
        {
            _ = PublishInlineAsync(session, pending); // releases _publishing once the client has the message
            return true;
        }
        _publishing.Release();
        return false;
    }

    private bool NothingQueued() => _retry.IsEmpty && _outbox.Reader.Count == 0;

    private async Task PublishInlineAsync(BrokerSession session, Pending pending)
    {
        try
        {
            await TryPublishAsync(session, pending);
        }
        finally { _publishing.Release(); }
    }

    /// <summary>A message that did not reach the broker: retried by the publisher loop (or dropped if it may be).</summary>
    private void Unpublished(Pending pending)
    {
        _window.Release();
        if (pending.Message.DropWhenDisconnected) pending.Cancel();
        else _retry.Enqueue(pending);
    }

    /// <summary>Consumes the work queue of <paramref name="role"/> and its broadcasts, now and after every reconnect.</summary>
    public async Task ServeRoleAsync(string role, Func<Delivery, Task> handler)
    {
        if (!_roles.TryAdd(role, handler)) throw new InvalidOperationException($"This node already serves the role '{role}'.");
        var session = Volatile.Read(ref _session);
        if (session is { IsClosed: false })
        {
            try { await StartRoleAsync(session, role, handler); }
            catch (Exception e) { await AbortAsync(session, $"could not start consuming role '{role}': {e.Message}"); }
        }
    }

    private Task<BrokerSession> ConnectedAsync(CancellationToken ct)
    {
        Task<BrokerSession> task;
        lock (_gate) task = _connected.Task;
        return task.WaitAsync(ct);
    }

    private static ConnectionFactory CreateFactory(BrokerSettings broker)
    {
        var factory = new ConnectionFactory
        {
            HostName = broker.Host,
            Port = broker.Port,
            VirtualHost = broker.VirtualHost,
            UserName = broker.Username,
            Password = broker.Password,
            RequestedConnectionTimeout = broker.ConnectionTimeout,
            RequestedHeartbeat = broker.RequestedHeartbeat,
            AutomaticRecoveryEnabled = false, // the transport reconnects itself, with backoff, and republishes
            TopologyRecoveryEnabled = false,
            MaxInboundMessageBodySize = 128u * 1024 * 1024, // the broker's own limit; ours is checked per frame
        };
        if (broker.Tls.Enabled)
        {
            factory.Ssl = new SslOption
            {
                Enabled = true,
                ServerName = string.IsNullOrEmpty(broker.Tls.ServerName) ? broker.Host : broker.Tls.ServerName,
                CertPath = broker.Tls.ClientCertificate,
                CertPassphrase = broker.Tls.ClientCertificatePassword,
                Version = SslProtocols.Tls12 | SslProtocols.Tls13,
            };
        }
        return factory;
    }

    private async Task RunConnectionLoopAsync()
    {
        var backoff = _settings.MinBackoff;
        var generation = 0;
        while (!_stop.IsCancellationRequested)
        {
            BrokerSession session;
            try
            {
                session = await ConnectAsync(++generation);
            }
            catch (Exception e) when (!_stop.IsCancellationRequested)
            {
                _lastError = e.InnerException is { } inner ? $"{e.Message} ({inner.Message})" : e.Message;
                _log.Warning($"Cannot connect to the broker {_settings.Broker}: {_lastError}; retrying in {backoff.TotalMilliseconds:0} ms.");
                try { await Task.Delay(backoff, _stop.Token); } catch (OperationCanceledException) { return; }
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, _settings.MaxBackoff.Ticks));
                continue;
            }
            catch (Exception) { return; }
            backoff = _settings.MinBackoff;
            lock (_gate)
            {
                _session = session;
                _connected.TrySetResult(session);
            }
            _log.Info($"Connected to the broker {_settings.Broker} (session {session.Generation}).");
            OnConnected(session.Generation);
            string reason;
            try { reason = await session.Closed.WaitAsync(_stop.Token); }
            catch (OperationCanceledException) { return; }
            lock (_gate)
            {
                _session = null;
                _connected = new TaskCompletionSource<BrokerSession>(TaskCreationOptions.RunContinuationsAsynchronously);
            }
            Requeue(session.Close(reason));
            _log.Warning($"Lost the broker connection (session {session.Generation}): {reason}; reconnecting.");
            OnDisconnected(reason);
            await DisposeQuietlyAsync(session);
        }
    }

    private async Task<BrokerSession> ConnectAsync(int generation)
    {
        var connection = await _factory.CreateConnectionAsync(_clientName, _stop.Token);
        try
        {
            var publisher = await connection.CreateChannelAsync(
                // one delivery at a time (the node queue's acks are coalesced on that order)
                new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: false, consumerDispatchConcurrency: 1), _stop.Token);
            var session = new BrokerSession(connection, publisher, generation);
            connection.ConnectionShutdownAsync += (_, e) => { Requeue(session.Close(e.ReplyText)); return Task.CompletedTask; };
            publisher.ChannelShutdownAsync += (_, e) => { Requeue(session.Close("publisher channel: " + e.ReplyText)); return Task.CompletedTask; };
            publisher.BasicAcksAsync += (_, e) => { foreach (var p in session.Settle(e.DeliveryTag, e.Multiple)) Settled(p, ok: true); return Task.CompletedTask; };
            publisher.BasicNacksAsync += (_, e) => { foreach (var p in session.Settle(e.DeliveryTag, e.Multiple)) Settled(p, ok: false); return Task.CompletedTask; };

            await publisher.ExchangeDeclareAsync(Topology.HeartbeatExchange, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: _stop.Token);
            await publisher.ExchangeDeclareAsync(Topology.BroadcastExchange, ExchangeType.Direct, durable: true, autoDelete: false, cancellationToken: _stop.Token);
            var expires = new Dictionary<string, object?> { ["x-expires"] = (int)_settings.NodeQueueExpires.TotalMilliseconds };
            await publisher.QueueDeclareAsync(_nodeQueue, durable: true, exclusive: false, autoDelete: false, arguments: expires, cancellationToken: _stop.Token);

            await publisher.BasicQosAsync(0, _settings.NodePrefetch, global: false, _stop.Token);
            session.NodeAcks = new AckBatcher(publisher, _settings.NodeAckBatch, _settings.NodeAckDelay, _log);
            await ConsumeAsync(session, publisher, _nodeQueue, d => OnNodeMessage(d), session.NodeAcks);

            var heartbeats = await OpenConsumerChannelAsync(session, 64);
            var ttl = new Dictionary<string, object?> { ["x-message-ttl"] = (int)_settings.UnreachableAfter.TotalMilliseconds };
            var beatQueue = (await heartbeats.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true, arguments: ttl, cancellationToken: _stop.Token)).QueueName;
            await heartbeats.QueueBindAsync(beatQueue, Topology.HeartbeatExchange, "", cancellationToken: _stop.Token);
            var beatConsumer = new AsyncEventingBasicConsumer(heartbeats);
            beatConsumer.ReceivedAsync += (_, ea) =>
            {
                try { OnHeartbeat(Frame.Decode(ea.Body.Span, _settings.MaxMessageSize)); }
                catch (Exception e) { _log.Error($"Rejected a heartbeat that does not decode: {e.Message}"); }
                return Task.CompletedTask;
            };
            await heartbeats.BasicConsumeAsync(beatQueue, autoAck: true, beatConsumer, _stop.Token);

            foreach (var (role, handler) in _roles) await StartRoleAsync(session, role, handler);
            return session;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private async Task StartRoleAsync(BrokerSession session, string role, Func<Delivery, Task> handler)
    {
        var queue = Topology.RoleQueue(role);
        await session.Publisher.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, cancellationToken: _stop.Token);
        await session.Publisher.QueueBindAsync(_nodeQueue, Topology.BroadcastExchange, Topology.BroadcastKey(role), cancellationToken: _stop.Token);
        lock (session.Declared) session.Declared.Add(queue);
        await ConsumeAsync(session, await OpenConsumerChannelAsync(session, _settings.RolePrefetch), queue, handler);
    }

    private async Task<IChannel> OpenConsumerChannelAsync(BrokerSession session, ushort prefetch)
    {
        var channel = await session.Connection.CreateChannelAsync(cancellationToken: _stop.Token);
        lock (session.Consumers) session.Consumers.Add(channel);
        channel.ChannelShutdownAsync += (_, e) =>
        {
            if (e.Initiator != ShutdownInitiator.Application) Requeue(session.Close("consumer channel: " + e.ReplyText));
            return Task.CompletedTask;
        };
        await channel.BasicQosAsync(0, prefetch, global: false, _stop.Token);
        return channel;
    }

    /// <summary>
    /// Consumes <paramref name="queue"/> on <paramref name="channel"/>: decodes each delivery and hands it to <paramref name="handler"/>,
    /// which settles it; acks go through <paramref name="acks"/> when given (a queue whose deliveries are settled in order).
    /// </summary>
    private async Task ConsumeAsync(BrokerSession session, IChannel channel, string queue, Func<Delivery, Task> handler, AckBatcher? acks = null)
    {
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += async (_, ea) =>
        {
            var settled = 0;
            var tag = ea.DeliveryTag;
            Task Settle(bool ack)
            {
                if (Interlocked.Exchange(ref settled, 1) != 0 || session.IsClosed || !channel.IsOpen) return Task.CompletedTask;
                return ack && acks is not null ? acks.AckAsync(tag) : SettleAsync(channel, tag, ack);
            }
            Frame frame;
            try
            {
                frame = Frame.Decode(ea.Body.Span, _settings.MaxMessageSize);
            }
            catch (Exception e) when (e is MalformedFrameException or MessageSizeException)
            {
                _log.Error($"Rejected a message on {queue} ({ea.Body.Length} bytes, delivery {tag}): {e.Message}");
                await Settle(ack: false);
                return;
            }
            try
            {
                await handler(new Delivery(frame, ea.Redelivered, () => Settle(ack: true), () => Settle(ack: false)));
            }
            catch (Exception e)
            {
                _log.Error($"Rejected message '{frame.Message.Manifest}' on {queue} (id '{frame.Id}'): {e.Message}", e);
                await Settle(ack: false);
            }
        };
        await channel.BasicConsumeAsync(queue, autoAck: false, consumer, _stop.Token);
    }

    private async Task SettleAsync(IChannel channel, ulong tag, bool ack)
    {
        try
        {
            if (ack) await channel.BasicAckAsync(tag, multiple: false);
            else await channel.BasicNackAsync(tag, multiple: false, requeue: false);
        }
        catch (Exception e)
        {
            _log.Debug($"Could not settle delivery {tag} ({e.Message}); the broker redelivers it.");
        }
    }

    private async Task RunPublisherLoopAsync()
    {
        var ct = _stop.Token;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                if (NothingQueued())
                {
                    // Nothing ready: wake up for a new message, and now and then for requeued ones.
                    var wait = _outbox.Reader.WaitToReadAsync(ct).AsTask();
                    while (_retry.IsEmpty && !wait.IsCompleted) await Task.WhenAny(wait, Task.Delay(50, ct));
                    if (wait.IsCompleted && !await wait && _retry.IsEmpty) await Task.Delay(20, ct);
                    continue;
                }
                await _publishing.WaitAsync(ct);
                try
                {
                    if (!_retry.TryDequeue(out var pending) && !_outbox.Reader.TryRead(out pending)) continue;
                    BrokerSession session;
                    try
                    {
                        await _window.WaitAsync(ct);
                        session = Volatile.Read(ref _session) is { IsClosed: false } open ? open : await ConnectedAsync(ct);
                    }
                    catch (OperationCanceledException)
                    {
                        pending.Cancel(); // stopping: not left waiting forever
                        throw;
                    }
                    if (!await TryPublishAsync(session, pending))
                    {
                        await session.Closed.WaitAsync(TimeSpan.FromSeconds(1), ct).ContinueWith(_ => { }, TaskScheduler.Default);
                    }
                }
                finally { _publishing.Release(); }
            }
        }
        catch (OperationCanceledException) { }
    }

    /// <summary>
    /// Publishes on <paramref name="session"/> (the caller holds <see cref="_publishing"/> and a window slot).
    /// False when it could not: the message is then back in the retry queue (or dropped, if it may be),
    /// handed back here when it was lost before tracking, or by the session's Close once tracked.
    /// </summary>
    private async Task<bool> TryPublishAsync(BrokerSession session, Pending pending)
    {
        var m = pending.Message;
        pending.Attempts++;
        var tracked = false;
        try
        {
            var channel = session.Publisher;
            if (m.DeclareQueue is { } queue && !Declared(session, queue))
            {
                await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false);
                lock (session.Declared) session.Declared.Add(queue);
            }
            var sequence = await channel.GetNextPublishSequenceNumberAsync();
            if (!session.Track(sequence, pending))
            {
                Unpublished(pending);
                return false;
            }
            tracked = true;
            // Only the delivery mode: id, paths and manifest travel in the frame.
            var properties = new BasicProperties { DeliveryMode = m.Persistent ? DeliveryModes.Persistent : DeliveryModes.Transient };
            await channel.BasicPublishAsync(m.Exchange, m.RoutingKey, mandatory: false, properties, m.Body);
            return true;
        }
        catch (Exception e)
        {
            // The session's Close hands back what it tracked (once: never also here, which would release its
            // window slot twice); a message lost before tracking comes back here.
            if (!session.IsClosed) await AbortAsync(session, $"publish failed: {e.Message}");
            if (!tracked) Unpublished(pending);
            return false;
        }
    }

    private static bool Declared(BrokerSession session, string queue)
    {
        lock (session.Declared) return session.Declared.Contains(queue);
    }

    private void Settled(Pending pending, bool ok)
    {
        _window.Release();
        if (ok) pending.Confirm();
        else if (pending.Message.DropWhenDisconnected) pending.Cancel();
        else _retry.Enqueue(pending);
    }

    private void Requeue(List<Pending> unconfirmed)
    {
        foreach (var p in unconfirmed)
        {
            _window.Release();
            if (p.Message.DropWhenDisconnected) p.Cancel();
            else _retry.Enqueue(p);
        }
    }

    private async Task AbortAsync(BrokerSession session, string reason)
    {
        Requeue(session.Close(reason));
        try { await session.Connection.CloseAsync(TimeSpan.FromSeconds(2)); } catch (Exception) { }
    }

    private static async Task DisposeQuietlyAsync(BrokerSession session)
    {
        try { await session.Connection.DisposeAsync(); } catch (Exception) { }
    }

    /// <summary>Waits (bounded) for unconfirmed messages, then closes the connection and stops the loops.</summary>
    public async ValueTask DisposeAsync()
    {
        _stopping = true;
        _outbox.Writer.TryComplete();
        var drain = Task.Run(async () =>
        {
            while (_window.CurrentCount < Window || !_retry.IsEmpty || _outbox.Reader.Count > 0) await Task.Delay(20);
        });
        if (IsConnected) await Task.WhenAny(drain, Task.Delay(TimeSpan.FromSeconds(5)));
        await _stop.CancelAsync();
        var session = Volatile.Read(ref _session);
        if (session is not null)
        {
            if (session.NodeAcks is { } acks) await acks.FlushAsync().WaitAsync(TimeSpan.FromSeconds(2)).ContinueWith(_ => { }, TaskScheduler.Default);
            session.Close("node stopped");
            try { await session.Connection.CloseAsync(TimeSpan.FromSeconds(2)); } catch (Exception) { }
            await DisposeQuietlyAsync(session);
        }
        await Task.WhenAll(_connectionLoop, _publisherLoop).WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(_ => { }, TaskScheduler.Default);
        while (_retry.TryDequeue(out var p)) p.Cancel();
        while (_outbox.Reader.TryRead(out var p)) p.Cancel();
        _stop.Dispose();
    }
}
