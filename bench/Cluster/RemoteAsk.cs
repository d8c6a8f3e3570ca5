using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using AkkaRlhf.Actors.Messages;
using AkkaRlhf.Actors.Serialization;

namespace AkkaRlhf.Bench.Cluster;

/// <summary>
/// Remote request/reply between two processes on loopback: an Akka <c>Ask</c> of a small RLHF message to an echo actor on
/// another member (the product's configuration: cluster provider, dot-netty TCP, the RLHF serializer), beside a raw TCP
/// socket ping-pong of a frame of the same size. Latency: sequential round trips, p50/p99. Throughput: round trips per
/// second with <see cref="Window"/> in flight (actors: Tell from a local actor; TCP: one pipelined connection).
/// </summary>
internal static class RemoteAsk
{
    public const int Window = 64;

    /// <summary>The request: a prompt request as the trainer sends it (RlhfSerializer, ~25 bytes of JSON).</summary>
    public static readonly RequestPrompts Message = new(1, 8);

    /// <summary>
    /// A batch-sized message: the rollouts of the cluster bench's small PPO workload (128 sequences of 24 prompt + 24 response
    /// tokens, int64 ids and masks, float32 log-probs and action mask; 37 KB on the wire, where ids under 128 and the 0/1
    /// attention mask travel as one byte each), as a generator's answer or a scorer's request carries them.
    /// </summary>
    public static RolloutBatch Batch()
    {
        var (B, P, N) = (128, 24, 24);
        var batch = new SequenceBatch(TorchSharp.torch.randint(0, 100, [B, P + N]), TorchSharp.torch.ones([B, P + N], TorchSharp.torch.int64),
            TorchSharp.torch.ones([B, N]), P);
        return new RolloutBatch(1, 0, batch, TorchSharp.torch.randn([B, N]), 1);
    }

    public sealed record Result(double AkkaP50, double AkkaP99, double AkkaPerSecond, double TcpP50, double TcpP99, double TcpPerSecond, int Bytes);

    /// <summary>The other process: a member with the echo actor (<c>/user/echo</c>) and a TCP echo server; prints its address and port.</summary>
    public static async Task ServeAsync(int seedPort)
    {
        var system = await Members.StartAsync(Members.Config(0, seedPort, []));
        system.ActorOf(Props.Create(() => new Echo()), "echo");
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        Console.WriteLine($"echo {Members.AddressOf(system)} tcp {((IPEndPoint)listener.LocalEndpoint).Port}");
        while (true)
        {
            var socket = await listener.AcceptSocketAsync();
            socket.NoDelay = true;
            new Thread(() => EchoFrames(socket)) { IsBackground = true }.Start();
        }
    }

    private sealed class Echo : ReceiveActor
    {
        public Echo() => ReceiveAny(m => Sender.Tell(m));
    }

    private static void EchoFrames(Socket socket)
    {
        var buffer = new byte[1 << 20];
        try
        {
            while (true)
            {
                var length = ReadFrame(socket, buffer);
                socket.Send(buffer.AsSpan(0, 4 + length));
            }
        }
        catch (Exception e) when (e is SocketException or EndOfStreamException) { socket.Dispose(); }
    }

    /// <summary>Reads one frame (int32 length + bytes) into <paramref name="buffer"/>; returns its length.</summary>
    private static int ReadFrame(Socket socket, byte[] buffer)
    {
        Fill(socket, buffer.AsSpan(0, 4));
        var length = BinaryPrimitives.ReadInt32LittleEndian(buffer);
        Fill(socket, buffer.AsSpan(4, length));
        return length;
    }

    private static void Fill(Socket socket, Span<byte> span)
    {
        while (!span.IsEmpty)
        {
            var n = socket.Receive(span);
            if (n == 0) throw new EndOfStreamException();
            span = span[n..];
        }
    }

    /// <summary>Runs both sides' measurements against the echo member <paramref name="echoAddress"/> and its TCP port.</summary>
    /// <param name="message">What is sent and echoed back; the throughput measurement only for <see cref="Message"/> (else 0).</param>
    /// <param name="idle">A pause before each timed round trip (both ways), so each starts from idle processes as a PPO phase
    /// does; with a pause, no throughput is measured.</param>
    public static async Task<Result> MeasureAsync(ActorSystem system, string echoAddress, int tcpPort, int roundTrips, object message,
        TimeSpan idle = default)
    {
        var echo = await system.ActorSelection($"{echoAddress}/user/echo").ResolveOne(TimeSpan.FromSeconds(30));
        var bytes = new RlhfSerializer((ExtendedActorSystem)system).ToBinary(message);

        for (var i = 0; i < Math.Min(2_000, roundTrips / 2); i++) await echo.Ask<object>(message, TimeSpan.FromSeconds(10));   // warm-up
        var akka = new double[roundTrips];
        for (var i = 0; i < roundTrips; i++)
        {
            if (idle > TimeSpan.Zero) Thread.Sleep(idle);
            var start = Stopwatch.GetTimestamp();
            await echo.Ask<object>(message, TimeSpan.FromSeconds(10));
            akka[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }
        var akkaRate = 0.0;
        if (ReferenceEquals(message, Message) && idle == TimeSpan.Zero)
        {
            await Throughput(system, echo, 20_000);
            akkaRate = await Throughput(system, echo, roundTrips * 5);
        }

        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        socket.Connect(IPAddress.Loopback, tcpPort);
        var frame = new byte[4 + bytes.Length];
        BinaryPrimitives.WriteInt32LittleEndian(frame, bytes.Length);
        bytes.CopyTo(frame, 4);
        var reply = new byte[frame.Length];
        for (var i = 0; i < Math.Min(2_000, roundTrips / 2); i++) { socket.Send(frame); ReadFrame(socket, reply); }
        var tcp = new double[roundTrips];
        for (var i = 0; i < roundTrips; i++)
        {
            if (idle > TimeSpan.Zero) Thread.Sleep(idle);
            var start = Stopwatch.GetTimestamp();
            socket.Send(frame);
            ReadFrame(socket, reply);
            tcp[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }
        var tcpRate = ReferenceEquals(message, Message) && idle == TimeSpan.Zero ? PipelinedTcp(socket, frame, roundTrips * 5) : 0;

        return new Result(Percentile(akka, 0.50), Percentile(akka, 0.99), akkaRate, Percentile(tcp, 0.50), Percentile(tcp, 0.99), tcpRate, bytes.Length);
    }

    private static double Percentile(double[] values, double p)
    {
        var sorted = values.Order().ToArray();
        return sorted[(int)Math.Min(sorted.Length - 1, Math.Round(p * (sorted.Length - 1)))];
    }

    /// <summary>Round trips per second with <see cref="Window"/> messages in flight from a local actor.</summary>
    private static async Task<double> Throughput(ActorSystem system, IActorRef echo, int total)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var clock = Stopwatch.StartNew();
        system.ActorOf(Props.Create(() => new Pinger(echo, total, done)));
        await done.Task.WaitAsync(TimeSpan.FromMinutes(2));
        return total / clock.Elapsed.TotalSeconds;
    }

    private sealed class Pinger : ReceiveActor
    {
        public Pinger(IActorRef echo, int total, TaskCompletionSource done)
        {
            var (sent, received) = (0, 0);
            for (; sent < Window; sent++) echo.Tell(Message);
            Receive<RequestPrompts>(_ =>
            {
                if (sent < total) { echo.Tell(Message); sent++; }
                if (++received == total)
                {
                    done.TrySetResult();
                    Context.Stop(Self);
                }
            });
        }
    }

    /// <summary>Round trips per second over one connection with <see cref="Window"/> frames in flight (a writer and a reader thread).</summary>
    private static double PipelinedTcp(Socket socket, byte[] frame, int total)
    {
        using var inFlight = new SemaphoreSlim(Window);
        var clock = Stopwatch.StartNew();
        var reader = new Thread(() =>
        {
            var reply = new byte[frame.Length];
            for (var i = 0; i < total; i++) { ReadFrame(socket, reply); inFlight.Release(); }
        });
        reader.Start();
        for (var i = 0; i < total; i++) { inFlight.Wait(); socket.Send(frame); }
        reader.Join();
        return total / clock.Elapsed.TotalSeconds;
    }
}
