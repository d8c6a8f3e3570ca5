using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Configuration;
using Akka.Event;
using AkkaRlhf.Actors.Cluster;
using AkkaRlhf.Actors.Messages;
using AkkaRlhf.Actors.Serialization;
using AkkaRlhf.Cluster.Tests.Support;
using AkkaRlhf.Hosting;
using AkkaRlhf.Hosting.Nodes;
using AkkaRlhf.Tests.Shared;
using Xunit.Abstractions;

namespace AkkaRlhf.Cluster.Tests;

/// <summary>
/// What crosses the wire to a member is checked at both ends: a rollout member (a real process) gets, from actor systems in
/// this process over loopback TCP, a type outside the allow-list, payloads under an unknown manifest or truncated, and
/// requests over the frame size. Each is refused with a log line where it is caught — the sender for an unknown type or an
/// oversized request, the member for a bad payload — and the member keeps serving, on the same association.
/// </summary>
public sealed class RemoteMessageSpecs(ITestOutputHelper output) : ClusterSpec(output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private static readonly int[] Prompt = [3, 4, 5];
    private const int MaxNewTokens = 4;

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "akka-rlhf-remote-messages-" + Guid.NewGuid().ToString("N"));
    private readonly int _seedPort = FreePort();
    private readonly List<ActorSystem> _systems = [];

    private sealed record NotOnTheList(string Text);

    public override void Dispose()
    {
        Task.WhenAll(_systems.Select(s => s.Terminate())).Wait(TimeSpan.FromSeconds(20));
        base.Dispose();
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    /// <summary>Starts an actor system of this process and returns it with the warnings and errors it logs.</summary>
    private (ActorSystem System, ConcurrentQueue<string> Log) Start(string name, Akka.Configuration.Config config)
    {
        var system = ActorSystem.Create(name, config);
        _systems.Add(system);
        var log = new ConcurrentQueue<string>();
        var sink = system.ActorOf(Props.Create(() => new LogSink(log)));
        system.EventStream.Subscribe(sink, typeof(Warning));
        system.EventStream.Subscribe(sink, typeof(Error));
        return (system, log);
    }

    private sealed class LogSink : ReceiveActor
    {
        public LogSink(ConcurrentQueue<string> log) => Receive<LogEvent>(e => log.Enqueue($"{e.LogLevel()}: {e.Message} | {e.Cause?.Message}"));
    }

    /// <summary>
    /// The member answers a rollout request through <paramref name="via"/>: the prompt continued by up to <see cref="MaxNewTokens"/>
    /// tokens. Asked directly, the member's worker answers with the time it took (<see cref="Served"/>); a dispatcher passes on the reply alone.
    /// </summary>
    private async Task ServedAsync(IActorRef via, long batchId, NodeProcess node, bool fromWorker = false)
    {
        var answer = await via.Ask<object>(new GenerateRollouts(batchId, 0, [Prompt]), Patience);
        if (fromWorker)
        {
            var served = Assert.IsType<Served>(answer);
            Assert.InRange(served.Seconds, 1e-6, Patience.TotalSeconds);
            Assert.Equal(0, served.WeightWaitSeconds);                                 // it needed no newer policy
            answer = served.Reply;
        }
        var reply = Assert.IsType<RolloutBatch>(answer);
        Assert.Equal(batchId, reply.BatchId);
        var sequence = reply.Batch.Sequences.data<long>().ToArray();
        Assert.Equal(Prompt.Select(t => (long)t), sequence.Take(Prompt.Length));
        Assert.InRange(sequence.Length, Prompt.Length + 1, Prompt.Length + MaxNewTokens);
        Assert.Equal(1, reply.LogProbs.shape[0]);
        await node.WaitForLineAsync(l => l.StartsWith($"rollout: batch {batchId} part 0", StringComparison.Ordinal), Patience);
    }

    private static Task LoggedAsync(ConcurrentQueue<string> log, string what, params string[] parts) =>
        Eventually.Holds(() => log.Any(l => parts.All(p => l.Contains(p, StringComparison.Ordinal))), Patience,
            () => $"no log line about {what} ({string.Join(", ", parts)}); logged:\n{string.Join('\n', log)}");

    [Fact]
    public async Task Unknown_malformed_and_oversized_messages_must_be_refused_with_a_log_line_while_the_member_keeps_serving()
    {
        Directory.CreateDirectory(_dir);
        File.WriteAllText(Path.Combine(_dir, "tiny.conf"), TinyCliConfig.Hocon(
            $"rm {{ steps = 4, batch-size = 8 }}\nppo {{ generator {{ cluster.enabled = on, max-new-tokens = {MaxNewTokens} }} }}"));
        await TrainCheckpointsAsync(_dir, "tiny.conf");
        var node = await StartCliAsync("rollout", _dir, null, "node", "--config", "tiny.conf", "--roles", "rollout",
            "--seed-nodes", $"127.0.0.1:{_seedPort}", "--hostname", "127.0.0.1", "--port", _seedPort.ToString(),
            "--sft", "sft/model", "--rm", "rm/model", "--run", "run");
        var nodeAddress = $"akka.tcp://{ClusterMember.SystemName}@127.0.0.1:{_seedPort}";
        await node.WaitForLineAsync(l => l.StartsWith("MemberUp: " + nodeAddress, StringComparison.Ordinal), Patience);

        // a member of its cluster that sends it rollout requests as a coordinator does (the product's configuration and dispatcher) ...
        var config = AppConfig.Load(null, [$"akka.cluster.seed-nodes=[\"{nodeAddress}\"]", "akka.remote.dot-netty.tcp.hostname=\"127.0.0.1\"",
            "akka.remote.dot-netty.tcp.port=0"]);
        var memberConfig = ActorSystems.ToAkkaConfig(config, ClusterMember.AkkaConfig);
        var (member, memberLog) = Start(ClusterMember.SystemName, memberConfig);
        var rollouts = member.ActorOf(RoleDispatcher.Props("rollout", Patience, stateful: false, ClusterSettings.Create(config)));
        var found = false;
        for (var tries = 0; !found && tries < 600; tries++, await Task.Delay(100))
            found = await rollouts.Ask<int>(RoleDispatcher.CountWorkers.Instance, Patience) == 1;
        Assert.True(found, "the dispatcher found no rollout worker on the member");
        await ServedAsync(rollouts, 1, node);
        var worker = await member.ActorSelection($"{nodeAddress}/user/{RoleDispatcher.WorkerName("rollout")}").ResolveOne(Patience);

        // a type outside the allow-list is refused by the sender's serializer (never written to the wire)
        worker.Tell(new NotOnTheList("hello"));
        await LoggedAsync(memberLog, "an unknown type", "Serialization failed for message", nameof(NotOnTheList), "not in the RLHF allow-list");
        await ServedAsync(rollouts, 2, node);

        // a request over the frame size: the dispatcher fails its asker and logs; sent past it, remoting drops it at the sender
        var oversized = new GenerateRollouts(99, 0, [.. Enumerable.Repeat(Prompt, 3_000_000)]);
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => rollouts.Ask<RolloutBatch>(oversized, Patience));
        Assert.Contains("over the largest message to another node (16777216 bytes", refused.Message);
        await LoggedAsync(memberLog, "the dispatcher's refusal", "GenerateRollouts for role rollout is", "maximum-frame-size");
        worker.Tell(oversized);
        await LoggedAsync(memberLog, "remoting's refusal", "Discarding oversized payload sent to", nodeAddress);
        await ServedAsync(rollouts, 3, node);

        // a peer that writes RLHF payloads of its own: an unknown manifest and a truncated message, then a good request
        var (forger, _) = Start("forger", ConfigurationFactory.ParseString($$"""
            akka.actor.provider = remote
            akka.actor.serializers.rlhf = "{{typeof(ForgingSerializer).FullName}}, {{typeof(ForgingSerializer).Assembly.GetName().Name}}"
            """).WithFallback(memberConfig));
        var forgedTo = await forger.ActorSelection(worker.Path.ToString()).ResolveOne(Patience);
        forgedTo.Tell(new Forged("rlhf.no-such-message", [1, 2, 3]));
        var good = new RlhfSerializer((ExtendedActorSystem)forger).ToBinary(new GenerateRollouts(98, 0, [Prompt]));
        forgedTo.Tell(new Forged("rlhf.generate-rollouts", good[..(good.Length / 2)]));
        await node.WaitForLineAsync(l => l.Contains("Deserialization failed", StringComparison.Ordinal) && l.Contains("unknown manifest 'rlhf.no-such-message'", StringComparison.Ordinal), Patience);
        await node.WaitForLineAsync(l => l.Contains("Deserialization failed", StringComparison.Ordinal) && l.Contains("malformed 'rlhf.generate-rollouts' message", StringComparison.Ordinal), Patience);
        await ServedAsync(forgedTo, 4, node, fromWorker: true);                           // the same association still carries requests
        await ServedAsync(rollouts, 5, node);

        Assert.DoesNotContain(node.Lines, l => l.StartsWith("rollout: batch 9", StringComparison.Ordinal));   // neither 98 nor 99 was served
        Assert.DoesNotContain(node.Lines, l => l.StartsWith("error:", StringComparison.Ordinal));
        Assert.False(node.HasExited);
    }
}
