using System.Buffers;
using Akka.Actor;
using AkkaRlhf.Actors.Serialization;
using R = AkkaRlhf.Runtime;

namespace AkkaRlhf.Hosting.Nodes;

/// <summary>
/// Carries RLHF messages between the Akka actor system of a node and its RabbitMQ cluster transport, which still runs
/// on the first version's small actor kernel (<c>Runtime/</c>) until the cluster moves to Akka.Cluster. A node keeps
/// its role actors in Akka and one kernel system for the transport; each direction is an ask relayed as an ask, so a
/// reply (or a failure) reaches the original asker. Nothing else of the product uses the kernel.
/// </summary>
public static class RabbitMqBridge
{
    /// <summary>
    /// The transport's system, allow-listing the RLHF messages with their manifests and tensors as binary payloads. A node
    /// prints the transport's INFO lines (membership, broker connection) with <paramref name="printClusterLog"/>.
    /// </summary>
    public static R.ActorSystem CreateSystem(string name, bool printClusterLog)
    {
        var system = R.ActorSystem.Create(name, R.ActorSystemSettings.Default.WithStdoutLogging(printClusterLog));
        system.Serialization.RegisterPayload(new TensorPayload());
        foreach (var (type, manifest) in RlhfSerialization.Messages) system.Serialization.Register(type, manifest);
        return system;
    }

    /// <summary>An Akka actor that relays each message to <paramref name="remote"/> (a role's queue) and its reply back.</summary>
    public static Props ToCluster(R.IActorRef remote, TimeSpan timeout) => Props.Create(() => new ToClusterRelay(remote, timeout));

    /// <summary>A kernel actor that relays each message of the transport to the Akka actor <paramref name="local"/> and its reply back.</summary>
    public static R.Props FromCluster(IActorRef local, TimeSpan timeout, Action<object>? observe = null) =>
        R.Props.CreateBy(() => new FromClusterRelay(local, timeout, observe));

    /// <summary>A kernel actor that tells each message it receives (e.g. a weight broadcast from the event stream) to <paramref name="local"/>.</summary>
    public static R.Props Forward(IActorRef local) => R.Props.CreateBy(() => new ForwardRelay(local));

    private sealed class ForwardRelay : R.ReceiveActor
    {
        public ForwardRelay(IActorRef local) => ReceiveAny(message => local.Tell(message));
    }

    private sealed class ToClusterRelay : ReceiveActor
    {
        public ToClusterRelay(R.IActorRef remote, TimeSpan timeout) => ReceiveAny(message =>
        {
            var asker = Sender;
            R.Futures.Ask(remote, message, timeout).ContinueWith(t => asker.Tell(t.IsCompletedSuccessfully ? t.Result
                : new Status.Failure(t.Exception!.GetBaseException())), TaskScheduler.Default);
        });
    }

    private sealed class FromClusterRelay : R.ReceiveActor
    {
        public FromClusterRelay(IActorRef local, TimeSpan timeout, Action<object>? observe) => ReceiveAny(message =>
        {
            observe?.Invoke(message);
            var asker = Sender;
            local.Ask(message, timeout).ContinueWith(t => asker.Tell(
                t.IsCompletedSuccessfully ? (t.Result is Status.Failure f ? new R.Status.Failure(f.Cause) : t.Result)
                : new R.Status.Failure(t.Exception!.GetBaseException()), R.ActorRefs.NoSender), TaskScheduler.Default);
        });
    }

    private sealed class TensorPayload : R.Serialization.IPayloadSerializer<TorchSharp.torch.Tensor>
    {
        public void Write(TorchSharp.torch.Tensor value, IBufferWriter<byte> output) => TensorCodec.Write(value, output);

        public TorchSharp.torch.Tensor Read(ReadOnlySpan<byte> bytes) => TensorCodec.Read(bytes);
    }
}
