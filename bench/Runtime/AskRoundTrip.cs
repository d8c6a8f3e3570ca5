using System.Diagnostics;
using System.Threading.Channels;
using Akka.Actor;

namespace AkkaRlhf.Runtime.Bench;

/// <summary>Sequential Ask to an Akka echo actor vs a request + TaskCompletionSource through a channel to a server task.</summary>
internal static class AskRoundTrip
{
    private static readonly object Request = new();
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    /// <summary>Mean microseconds per Ask round trip (explicit timeout, as production code would use).</summary>
    public static async Task<double> Ask(ActorSystem system, int count)
    {
        var echo = system.ActorOf(Echo.Props());
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < count; i++) await echo.Ask<object>(Request, Timeout);
        clock.Stop();
        system.Stop(echo);
        return clock.Elapsed.TotalMicroseconds / count;
    }

    /// <summary>Mean microseconds per TaskCompletionSource round trip through a channel-served task.</summary>
    public static async Task<double> TaskCompletionSource(int count)
    {
        var requests = Channel.CreateUnbounded<(object Message, TaskCompletionSource<object> Reply)>(
            new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var server = Task.Run(async () =>
        {
            await foreach (var (message, reply) in requests.Reader.ReadAllAsync()) reply.TrySetResult(message);
        });
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            var reply = new TaskCompletionSource<object>(TaskCreationOptions.RunContinuationsAsynchronously);
            requests.Writer.TryWrite((Request, reply));
            await reply.Task;
        }
        clock.Stop();
        requests.Writer.Complete();
        await server;
        return clock.Elapsed.TotalMicroseconds / count;
    }

    /// <summary>Replies to every message with the message itself.</summary>
    private sealed class Echo : ReceiveActor
    {
        public Echo() => ReceiveAny(message => Sender.Tell(message));

        public static Props Props() => Akka.Actor.Props.Create(() => new Echo());
    }
}
