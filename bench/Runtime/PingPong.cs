using System.Diagnostics;
using System.Threading.Channels;
using Akka.Actor;

namespace AkkaRlhf.Runtime.Bench;

/// <summary>Ping-pong between two Akka actors vs between two tasks over raw channels.</summary>
internal static class PingPong
{
    private static readonly object Ball = new();

    /// <summary>Messages per second for <paramref name="pairs"/> actor pairs each bouncing <paramref name="roundTrips"/> times.</summary>
    public static async Task<double> Actors(ActorSystem system, int pairs, int roundTrips)
    {
        var done = new List<Task>();
        var pingers = new List<IActorRef>();
        for (var p = 0; p < pairs; p++)
        {
            var completion = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var pong = system.ActorOf(Ponger.Props());
            pingers.Add(system.ActorOf(Pinger.Props(pong, roundTrips, completion)));
            done.Add(completion.Task);
        }
        var clock = Stopwatch.StartNew();
        foreach (var pinger in pingers) pinger.Tell(Ball, ActorRefs.NoSender);
        await Task.WhenAll(done);
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

    /// <summary>Sends every message back to its sender.</summary>
    private sealed class Ponger : UntypedActor
    {
        public static Props Props() => Akka.Actor.Props.Create(() => new Ponger());

        protected override void OnReceive(object message) => Sender.Tell(message);
    }

    /// <summary>Serves the ball to <c>pong</c> and completes <c>done</c> after <c>roundTrips</c> replies.</summary>
    private sealed class Pinger(IActorRef pong, int roundTrips, TaskCompletionSource done) : UntypedActor
    {
        private int _left = roundTrips;

        public static Props Props(IActorRef pong, int roundTrips, TaskCompletionSource done) =>
            Akka.Actor.Props.Create(() => new Pinger(pong, roundTrips, done));

        protected override void OnReceive(object message)
        {
            if (Sender.Equals(pong) && --_left == 0)
            {
                done.TrySetResult();
                return;
            }
            pong.Tell(message);
        }
    }
}
