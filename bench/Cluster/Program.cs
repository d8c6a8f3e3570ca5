using System.Diagnostics;
using AkkaRlhf.Cluster;
using AkkaRlhf.Cluster.TestNode;
using AkkaRlhf.Runtime;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

// Cluster transport vs raw RabbitMQ.Client on one private broker, in the same run.
// Usage: dotnet AkkaRlhf.Cluster.Bench.dll [messages=20000] [size=1024] [weightsMB=50] [rounds=1000] [latency-only]
var messages = args.Length > 0 ? int.Parse(args[0]) : 20_000;
var size = args.Length > 1 ? int.Parse(args[1]) : 1024;
var weightsMb = args.Length > 2 ? int.Parse(args[2]) : 50;
var rounds = args.Length > 3 ? int.Parse(args[3]) : 1_000;
var latencyOnly = args.Contains("latency-only");
var payload = new byte[size];
Random.Shared.NextBytes(payload);

await using var broker = await RabbitMqBroker.StartAsync();
Console.WriteLine($"broker on 127.0.0.1:{broker.Port}; {messages} messages of {size} B, persistent, publisher confirms; {Environment.ProcessorCount} cores");

var factory = new ConnectionFactory { HostName = "127.0.0.1", Port = broker.Port };
var raw = double.NaN;
if (!latencyOnly)
{
    await RawThroughput(2_000);
    raw = await RawThroughput(messages);
}
var settings = ClusterSettings.ForLoopback(broker.Port);
var systems = Enumerable.Range(0, 3).Select(i => ActorSystem.Create($"bench{i}", ActorSystemSettings.Default.WithStdoutLogging(false))).ToArray();
var nodes = new List<ClusterNode>();
foreach (var (s, i) in systems.Select((s, i) => (s, i))) nodes.Add(await ClusterNode.JoinAsync(s, settings with { Hostname = $"n{i}" }));
var cluster = double.NaN;
if (!latencyOnly)
{
    await ClusterThroughput(2_000);
    cluster = await ClusterThroughput(messages);
}
var (rawRtt, rawConfirmRtt, clusterRtt) = await Latency(rounds);
var weights = latencyOnly ? double.NaN : await WeightBroadcast(weightsMb);
foreach (var n in nodes) await n.LeaveAsync();
foreach (var s in systems) await s.Terminate();

Console.WriteLine();
Console.WriteLine("| measure | raw RabbitMQ.Client | AkkaRlhf cluster | ratio |");
Console.WriteLine("|---|---|---|---|");
Console.WriteLine($"| throughput, msg/s ({size} B, persistent, confirmed, consumed + acked) | {raw:N0} | {cluster:N0} | {cluster / raw:0.00}x |");
Console.WriteLine($"| round trip p50, ms (raw: persistent, confirm-mode channels) | {rawConfirmRtt.P50:0.000} | {clusterRtt.P50:0.000} | {rawConfirmRtt.P50 / clusterRtt.P50:0.00}x |");
Console.WriteLine($"| round trip p99, ms (raw: persistent, confirm-mode channels) | {rawConfirmRtt.P99:0.000} | {clusterRtt.P99:0.000} | {rawConfirmRtt.P99 / clusterRtt.P99:0.00}x |");
Console.WriteLine($"| round trip p50, ms (raw: persistent, no publisher confirms) | {rawRtt.P50:0.000} | {clusterRtt.P50:0.000} | {rawRtt.P50 / clusterRtt.P50:0.00}x |");
Console.WriteLine($"| round trip p99, ms (raw: persistent, no publisher confirms) | {rawRtt.P99:0.000} | {clusterRtt.P99:0.000} | {rawRtt.P99 / clusterRtt.P99:0.00}x |");
Console.WriteLine($"| weight broadcast, {weightsMb} MB to 2 nodes (chunked 4 MiB, sha256 verified), MB/s | | {weights:0.0} | |");

async Task<double> RawThroughput(int n)
{
    await using var pubConn = await factory.CreateConnectionAsync();
    await using var subConn = await factory.CreateConnectionAsync();
    await using var pub = await pubConn.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
    await using var sub = await subConn.CreateChannelAsync();
    var queue = "bench.raw." + Guid.NewGuid().ToString("N");
    await pub.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: true);
    await sub.BasicQosAsync(0, 256, false);
    var received = 0;
    var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    var consumer = new AsyncEventingBasicConsumer(sub);
    consumer.ReceivedAsync += async (_, ea) =>
    {
        _ = ea.Body.ToArray();
        await sub.BasicAckAsync(ea.DeliveryTag, false);
        if (++received == n) done.TrySetResult();
    };
    await sub.BasicConsumeAsync(queue, autoAck: false, consumer);
    var clock = Stopwatch.StartNew();
    var props = new BasicProperties { Persistent = true }; // as the cluster publishes: only the delivery mode (id, paths, manifest are in its frame)
    var batch = new List<Task>(256);
    for (var i = 0; i < n; i++)
    {
        batch.Add(pub.BasicPublishAsync("", queue, false, props, payload).AsTask());
        if (batch.Count == 256) { await Task.WhenAll(batch); batch.Clear(); }
    }
    await Task.WhenAll(batch);
    await done.Task.WaitAsync(TimeSpan.FromMinutes(5));
    return n / clock.Elapsed.TotalSeconds;
}

// Round trips of the three sides interleaved in blocks (after 100 warm-up rounds each), so that load from
// elsewhere on the machine falls on all of them alike. Each side runs over three set-ups in turn (raw: three
// ping-pong pairs of connections and queues; cluster: node 0 -> 1, 1 -> 2, 2 -> 0): where the broker happens to
// schedule a queue's and a channel's processes moves one set-up's latency for a whole run, and averaging over three
// per side keeps that from deciding a run's ratio.
async Task<((double P50, double P99) Raw, (double P50, double P99) RawConfirm, (double P50, double P99) Cluster)> Latency(int rounds)
{
    const int setups = 3;
    var plain = new List<RawPingPong>();
    var confirmed = new List<RawPingPong>();
    for (var i = 0; i < setups; i++)
    {
        plain.Add(await RawPingPong(confirms: false));
        confirmed.Add(await RawPingPong(confirms: true));
    }
    var echoes = Enumerable.Range(0, setups).Select(i => (System: systems[(i + 1) % setups], Echo: systems[(i + 1) % setups].ActorOf(Props.CreateBy(() => new Echo())))).ToList();
    var remotes = echoes.Select((e, i) => (RemoteActorRef)nodes[i].ResolveActorRef(nodes[(i + 1) % setups].PathOf(e.Echo))).ToList();
    Func<Task>[][] sides =
    [
        [.. plain.Select(p => (Func<Task>)p.RoundTrip)],
        [.. confirmed.Select(p => (Func<Task>)p.RoundTrip)],
        [.. remotes.Select(r => (Func<Task>)(() => r.Ask<byte[]>(payload, TimeSpan.FromSeconds(10))))],
    ];
    var times = sides.Select(_ => new List<double>()).ToArray();
    const int blocks = 10 * setups;
    for (var block = -setups; block < blocks; block++)
        for (var k = 0; k < sides.Length; k++)
        {
            var side = (k + Math.Max(block, 0)) % sides.Length;
            var setup = sides[side][(block + setups) % setups];
            var n = block < 0 ? 100 : (rounds + blocks - 1) / blocks;
            for (var i = 0; i < n; i++)
            {
                var t = Stopwatch.GetTimestamp();
                await setup();
                if (block >= 0) times[side].Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
            }
        }
    foreach (var (system, echo) in echoes) system.Stop(echo);
    foreach (var p in plain.Concat(confirmed)) await p.DisposeAsync();
    return (Percentiles(times[0]), Percentiles(times[1]), Percentiles(times[2]));
}

// Raw ping-pong: publish (persistent; not waiting for a confirm) to a durable queue, an echo consumer on
// its own connection publishes the body back (persistent) and acks, the reply is consumed and acked.
// With confirms, both channels are in publisher-confirm mode, as the cluster's publisher channel always is.
async Task<RawPingPong> RawPingPong(bool confirms)
{
    var conn = await factory.CreateConnectionAsync();
    var echoConn = await factory.CreateConnectionAsync();
    var options = new CreateChannelOptions(publisherConfirmationsEnabled: confirms, publisherConfirmationTrackingEnabled: false);
    var ch = await conn.CreateChannelAsync(options);
    var echo = await echoConn.CreateChannelAsync(options);
    var ping = "bench.ping." + Guid.NewGuid().ToString("N");
    var pong = "bench.pong." + Guid.NewGuid().ToString("N");
    await ch.QueueDeclareAsync(ping, true, false, true);
    await ch.QueueDeclareAsync(pong, true, false, true);
    var echoConsumer = new AsyncEventingBasicConsumer(echo);
    echoConsumer.ReceivedAsync += async (_, ea) =>
    {
        await echo.BasicPublishAsync("", pong, false, new BasicProperties { Persistent = true }, ea.Body.ToArray());
        await echo.BasicAckAsync(ea.DeliveryTag, false);
    };
    await echo.BasicConsumeAsync(ping, false, echoConsumer);
    var pingPong = new RawPingPong(conn, echoConn, async () => await ch.BasicPublishAsync("", ping, false, new BasicProperties { Persistent = true }, payload));
    var replyConsumer = new AsyncEventingBasicConsumer(ch);
    replyConsumer.ReceivedAsync += async (_, ea) => { await ch.BasicAckAsync(ea.DeliveryTag, false); pingPong.Replied(); };
    await ch.BasicConsumeAsync(pong, false, replyConsumer);
    return pingPong;
}

async Task<double> ClusterThroughput(int n)
{
    var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    var counter = systems[1].ActorOf(Props.CreateBy(() => new Counter(n, done)));
    var remote = nodes[0].ResolveActorRef(nodes[1].PathOf(counter));
    var clock = Stopwatch.StartNew();
    for (var i = 0; i < n; i++) remote.Tell(payload, ActorRefs.NoSender);
    await done.Task.WaitAsync(TimeSpan.FromMinutes(5));
    var rate = n / clock.Elapsed.TotalSeconds;
    systems[1].Stop(counter);
    return rate;
}

async Task<double> WeightBroadcast(int mb)
{
    var data = new byte[mb * 1024 * 1024];
    Random.Shared.NextBytes(data);
    var best = 0.0;
    for (var version = 1; version <= 3; version++)
    {
        var received = new CountdownEvent(2);
        foreach (var i in new[] { 1, 2 })
        {
            if (version == 1) await nodes[i].ServeRoleAsync("rollout", systems[i].ActorOf(Props.CreateBy(() => new Echo())));
            var watcher = systems[i].ActorOf(Props.CreateBy(() => new WeightWatcher(version, received)));
            systems[i].EventStream.Subscribe(watcher, typeof(WeightsReceived));
        }
        var clock = Stopwatch.StartNew();
        await nodes[0].PublishWeightsAsync("rollout", "policy", version, data);
        await Task.Run(() => received.Wait(TimeSpan.FromMinutes(2)));
        var rate = mb / clock.Elapsed.TotalSeconds;
        Console.WriteLine($"weights v{version}: {mb} MB to 2 nodes in {clock.Elapsed.TotalSeconds:0.00} s = {rate:0.0} MB/s");
        best = Math.Max(best, rate);
    }
    return best;
}

static (double P50, double P99) Percentiles(List<double> times)
{
    times.Sort();
    return (times[times.Count / 2], times[(int)(times.Count * 0.99)]);
}

/// <summary>One raw publish and the echo of it coming back.</summary>
internal sealed class RawPingPong(IConnection connection, IConnection echoConnection, Func<Task> publish) : IAsyncDisposable
{
    private TaskCompletionSource _reply = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task RoundTrip()
    {
        _reply = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await publish();
        await _reply.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    public void Replied() => _reply.TrySetResult();

    public async ValueTask DisposeAsync()
    {
        await connection.DisposeAsync();
        await echoConnection.DisposeAsync();
    }
}

/// <summary>Counts messages and completes when all have arrived.</summary>
internal sealed class Counter : ReceiveActor
{
    public Counter(int expected, TaskCompletionSource done)
    {
        var count = 0;
        ReceiveAny(_ => { if (++count == expected) done.TrySetResult(); });
    }
}

/// <summary>Replies with what it got.</summary>
internal sealed class Echo : ReceiveActor
{
    public Echo() => ReceiveAny(m => Sender.Tell(m, Self));
}

/// <summary>Signals once when the expected weight version arrives.</summary>
internal sealed class WeightWatcher : ReceiveActor
{
    public WeightWatcher(long version, CountdownEvent received) =>
        Receive<WeightsReceived>(w => { if (w.Version == version) { received.Signal(); Context.Stop(Self); } });
}
