using System.Diagnostics;
using System.Threading.Channels;
using AkkaRlhf.Runtime;

namespace AkkaRlhf.Runtime.Bench;

/// <summary>Ping-pong between two actors vs between two tasks over raw channels.</summary>
internal static class PingPong
{
    private static readonly object Ball = new();

    /// <summary>Messages per second for <paramref name="pairs"/> actor pairs each bouncing <paramref name="roundTrips"/> times.</summary>
    public static async Task<double> Actors(ActorSystem system, int pairs, int roundTrips)
    {
        var done = Enumerable.Range(0, pairs).Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).ToList();
        var pingers = new List<IActorRef>();
        for (var p = 0; p < pairs; p++)
        {
            var pong = system.ActorOf(Props.Create<Ponger>());
            var completion = done[p];
            pingers.Add(system.ActorOf(Props.CreateBy(() => new Pinger(pong, roundTrips, completion))));
        }
        var clock = Stopwatch.StartNew();
        foreach (var pinger in pingers) pinger.Tell(Ball, ActorRefs.NoSender);
        await Task.WhenAll(done.Select(d => d.Task));
        clock.Stop();
        foreach (var pinger in pingers) system.Stop(pinger);
        return 2.0 * pairs * roundTrips / clock.Elapsed.TotalSeconds;
    }

    /// <summary>The same exchange between tasks over unbounded channels.</summary>
    public static async Task<double> Channels(int pairs, int roundTrips)
    {
        var options = new UnboundedChannelOptions { SingleReader = true, SingleWriter = true };
        var clock = Stopwatch.StartNew();
        var tasks = new List<Task>();
        for (var p = 0; p < pairs; p++)
        {
            var toPong = Channel.CreateUnbounded<object>(options);
            var toPing = Channel.CreateUnbounded<object>(options);
            tasks.Add(Task.Run(async () =>
            {
                for (var i = 0; i < roundTrips; i++)
                {
                    var ball = await toPong.Reader.ReadAsync();
                    toPing.Writer.TryWrite(ball);
                }
            }));
            tasks.Add(Task.Run(async () =>
            {
                toPong.Writer.TryWrite(Ball);
                for (var i = 0; i < roundTrips; i++)
                {
                    var ball = await toPing.Reader.ReadAsync();
                    if (i < roundTrips - 1) toPong.Writer.TryWrite(ball);
                }
            }));
        }
        await Task.WhenAll(tasks);
        clock.Stop();
        return 2.0 * pairs * roundTrips / clock.Elapsed.TotalSeconds;
    }

    private sealed class Ponger : UntypedActor
    {
        protected override void OnReceive(object message) => Sender.Tell(message, Self);
    }

    private sealed class Pinger(IActorRef pong, int roundTrips, TaskCompletionSource done) : UntypedActor
    {
        private int _left = roundTrips;

        protected override void OnReceive(object message)
        {
            if (Sender.Equals(pong) && --_left == 0)
            {
                done.TrySetResult();
                return;
            }
            pong.Tell(message, Self);
        }
    }
}
