using System.Text;
using AkkaRlhf.Cluster.TestNode;
using AkkaRlhf.Cluster.Tests.Support;
using AkkaRlhf.Runtime;
using AkkaRlhf.Runtime.Event;
using AkkaRlhf.Runtime.Serialization;
using RabbitMQ.Client;
using Xunit.Abstractions;

namespace AkkaRlhf.Cluster.Tests;

/// <summary>Bad messages put on a node's queues by a raw AMQP client: rejected with an error log, the node keeps serving.</summary>
public sealed class PoisonMessageSpecs(ITestOutputHelper output) : ClusterSpec(output)
{
    [RabbitMqFact]
    public async Task A_malformed_an_unknown_type_and_an_oversized_message_are_rejected_with_an_error_log_and_the_node_keeps_serving()
    {
        var errors = Recorder.Create(ActorSystem.Create("errors", ActorSystemSettings.Default.WithStdoutLogging(false)));
        var victim = await JoinAsync(Settings("victim", "worker") with { MaxMessageSize = 128 * 1024, ChunkSize = 1024 }, errors);
        await victim.ServeRoleAsync("worker", victim.System.ActorOf(Props.CreateBy(() => new Worker("victim", _ => { })), "worker"));
        var coordinator = await JoinAsync(Settings("coordinator"));
        var replies = Recorder.Create(coordinator.System, "replies");

        var factory = new ConnectionFactory { HostName = "127.0.0.1", Port = Broker.Port };
        await using (var connection = await factory.CreateConnectionAsync())
        await using (var channel = await connection.CreateChannelAsync())
        {
            var unknown = new Frame("poison.1", "/user/worker", "", new SerializedMessage("evil.type", "{}"u8.ToArray(), [])).Encode(int.MaxValue);
            var oversized = new Frame("poison.2", "/user/worker", "", new SerializedMessage("test.work", "{}"u8.ToArray(), [new byte[200 * 1024]])).Encode(int.MaxValue);
            var truncated = unknown[..^3];
            foreach (var queue in new[] { Topology.NodeQueue(victim.SelfAddress), Topology.RoleQueue("worker") })
            {
                foreach (var body in new[] { Encoding.UTF8.GetBytes("not a frame"), truncated, unknown, oversized })
                    await channel.BasicPublishAsync("", queue, mandatory: false, new BasicProperties(), body);
            }
        }

        await Eventually.Holds(() => errors.Of<Error>().Count() >= 8, TimeSpan.FromSeconds(20), () => string.Join("\n", errors.Messages));
        var messages = errors.Of<Error>().Select(e => e.Message).ToList();
        foreach (var m in messages) Output.WriteLine(m);
        Assert.Equal(2, messages.Count(m => m.Contains("frame marker")));
        Assert.Equal(2, messages.Count(m => m.Contains("truncated")));
        Assert.Equal(2, messages.Count(m => m.Contains("Unknown manifest 'evil.type'")));
        Assert.Equal(2, messages.Count(m => m.Contains("over akka.cluster.max-message-size")));

        await coordinator.RoleRouter("worker").Send(new Work(42, 0), replies.Actor);
        await Eventually.Holds(() => replies.Of<WorkDone>().Any(d => d.BatchId == 42), TimeSpan.FromSeconds(20), () => "the node stopped serving");
        Assert.True(victim.IsConnected);
    }

    [RabbitMqFact]
    public async Task A_frame_delivered_twice_with_the_same_id_reaches_its_actor_once_and_frames_without_an_id_every_time()
    {
        var node = await JoinAsync(Settings("node"));
        var inbox = Recorder.Create(node.System, "inbox");
        var work = node.System.Serialization.Serialize(new Work(7, 0));
        var factory = new ConnectionFactory { HostName = "127.0.0.1", Port = Broker.Port };
        await using (var connection = await factory.CreateConnectionAsync())
        await using (var channel = await connection.CreateChannelAsync())
        {
            // as a publish retried after a lost confirm arrives: the same frame (same id) twice; then two frames with no id
            foreach (var id in new[] { "retried.1", "retried.1", "", "" })
                await channel.BasicPublishAsync("", Topology.NodeQueue(node.SelfAddress), mandatory: false, new BasicProperties(),
                    new Frame(id, "/user/inbox", "", work).Encode(int.MaxValue));
            await channel.BasicPublishAsync("", Topology.NodeQueue(node.SelfAddress), mandatory: false, new BasicProperties(),
                new Frame("last", "/user/inbox", "", node.System.Serialization.Serialize(new Work(8, 0))).Encode(int.MaxValue));
        }
        await Eventually.Holds(() => inbox.Of<Work>().Any(w => w.BatchId == 8), TimeSpan.FromSeconds(20), () => "the last frame did not arrive");
        Assert.Equal([7, 7, 7, 8], inbox.Of<Work>().Select(w => w.BatchId));
    }

    [RabbitMqFact]
    public async Task An_outbound_message_over_the_size_limit_fails_at_the_tell_with_a_clear_error()
    {
        var node = await JoinAsync(Settings("node") with { MaxMessageSize = 128 * 1024, ChunkSize = 1024 });
        var e = Assert.Throws<MessageSizeException>(() => node.RoleRouter("worker").Tell(new string('x', 200 * 1024), ActorRefs.NoSender));
        Assert.Contains("max-message-size", e.Message);
    }
}
