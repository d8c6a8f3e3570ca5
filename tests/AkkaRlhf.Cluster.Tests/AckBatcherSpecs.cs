using AkkaRlhf.Cluster.TestNode;
using AkkaRlhf.Cluster.Tests.Support;
using AkkaRlhf.Runtime;
using AkkaRlhf.Runtime.Event;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using Xunit.Abstractions;

namespace AkkaRlhf.Cluster.Tests;

/// <summary>
/// The node queue's coalesced acks against the real broker: what the broker still holds unacknowledged is seen by
/// closing the consumer's channel (the broker then puts those messages back in the queue, where they are counted).
/// </summary>
public sealed class AckBatcherSpecs(ITestOutputHelper output) : ClusterSpec(output)
{
    /// <summary>Publishes <paramref name="count"/> messages, consumes them on a channel of their own and acks each handled one through a batcher.</summary>
    private async Task<uint> HandleAndCloseAsync(int count, int batch, TimeSpan delay, TimeSpan before)
    {
        var factory = new ConnectionFactory { HostName = "127.0.0.1", Port = Broker.Port };
        await using var connection = await factory.CreateConnectionAsync();
        await using var control = await connection.CreateChannelAsync();
        var queue = (await control.QueueDeclareAsync("", durable: false, exclusive: false, autoDelete: false)).QueueName;
        for (var i = 0; i < count; i++) await control.BasicPublishAsync("", queue, new byte[] { (byte)i });

        var system = ActorSystem.Create("acks", ActorSystemSettings.Default.WithStdoutLogging(false));
        try
        {
            var consumerChannel = await connection.CreateChannelAsync();
            await consumerChannel.BasicQosAsync(0, 100, false);
            var acks = new AckBatcher(consumerChannel, batch, delay, new ClusterLog(system, "spec"));
            var handled = 0;
            var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var consumer = new AsyncEventingBasicConsumer(consumerChannel);
            consumer.ReceivedAsync += async (_, ea) =>
            {
                await acks.AckAsync(ea.DeliveryTag);
                if (++handled == count) all.TrySetResult();
            };
            await consumerChannel.BasicConsumeAsync(queue, autoAck: false, consumer);
            await all.Task.WaitAsync(TimeSpan.FromSeconds(20));
            await Task.Delay(before);
            Assert.True(consumerChannel.IsOpen, "an ack closed the channel (out of order, or an unknown tag)");
            await consumerChannel.CloseAsync();
            return (await control.QueueDeclarePassiveAsync(queue)).MessageCount;
        }
        finally { await system.Terminate(); }
    }

    [RabbitMqFact]
    public async Task Full_batches_are_acknowledged_at_once_and_the_remainder_stays_unacknowledged_until_the_delay()
    {
        // 10 handled with batches of 4: two acks (up to 4, up to 8) went out; 9 and 10 wait for the 30 s delay
        Assert.Equal(2u, await HandleAndCloseAsync(count: 10, batch: 4, delay: TimeSpan.FromSeconds(30), before: TimeSpan.FromMilliseconds(300)));
    }

    [RabbitMqFact]
    public async Task Handled_messages_are_all_acknowledged_once_the_delay_has_passed()
    {
        Assert.Equal(0u, await HandleAndCloseAsync(count: 10, batch: 64, delay: TimeSpan.FromMilliseconds(20), before: TimeSpan.FromMilliseconds(500)));
    }

    [RabbitMqFact]
    public async Task Acks_sent_from_the_delay_timer_and_from_full_batches_at_once_keep_their_order()
    {
        // a 1 ms delay: timer flushes (on timer threads) race the batch acks of the consumer; one sent out of order would close the channel
        Assert.Equal(0u, await HandleAndCloseAsync(count: 3000, batch: 5, delay: TimeSpan.FromMilliseconds(1), before: TimeSpan.FromMilliseconds(300)));
    }

    [RabbitMqFact]
    public async Task Node_messages_handled_but_not_yet_acknowledged_come_again_after_a_broker_restart_and_reach_their_actor_once()
    {
        // 20 messages, batches of 64 and a 10 s delay: all handled, none acknowledged when the broker goes down
        var receiver = await JoinAsync(Settings("receiver") with { NodeAckDelay = TimeSpan.FromSeconds(10) }, logLevel: LogLevel.Debug);
        var debug = Recorder.Create(receiver.System, "debug");
        receiver.System.EventStream.Subscribe(debug.Actor, typeof(Debug));
        var inbox = Recorder.Create(receiver.System, "inbox");
        var sender = await JoinAsync(Settings("sender"));
        var remote = (RemoteActorRef)sender.ResolveActorRef(receiver.PathOf(inbox.Actor));
        await Task.WhenAll(Enumerable.Range(1, 20).Select(i => remote.Send(new Work(i, 0), null, messageId: null))); // confirmed: on the broker's disk
        await Eventually.Holds(() => inbox.Of<Work>().Count() == 20, TimeSpan.FromSeconds(20), () => $"{inbox.Of<Work>().Count()} of 20 arrived");

        await Broker.RestartAsync();
        int Dropped() => debug.Of<Debug>().Count(d => d.Message.StartsWith("Dropped duplicate message", StringComparison.Ordinal));
        await Eventually.Holds(() => Dropped() >= 20, TimeSpan.FromSeconds(60), () => $"{Dropped()} of the 20 unacknowledged messages came again");
        await Task.Delay(300);
        Assert.Equal(20, Dropped());
        Assert.Equal(Enumerable.Range(1, 20).Select(i => (long)i), inbox.Of<Work>().Select(w => w.BatchId));
    }
}
