using System.Collections.Concurrent;
using AkkaRlhf.Runtime;

namespace AkkaRlhf.Cluster.Tests.Support;

/// <summary>An actor that keeps every message it receives; specs read <see cref="Messages"/>.</summary>
public sealed class Recorder : ReceiveActor
{
    private Recorder(ConcurrentQueue<object> sink) => ReceiveAny(sink.Enqueue);

    /// <summary>What it received, in order.</summary>
    public sealed class Handle(IActorRef actor, ConcurrentQueue<object> messages)
    {
        public IActorRef Actor { get; } = actor;
        public ConcurrentQueue<object> Messages { get; } = messages;
        public IEnumerable<T> Of<T>() => Messages.OfType<T>();
    }

    /// <summary>Creates a recorder on <paramref name="system"/>.</summary>
    public static Handle Create(ActorSystem system, string? name = null)
    {
        var sink = new ConcurrentQueue<object>();
        return new Handle(system.ActorOf(Props.CreateBy(() => new Recorder(sink)), name), sink);
    }
}
