using Akka.Actor;
using Akka.Configuration;
using AkkaRlhf.Actors.Serialization;

namespace AkkaRlhf.Actors;

/// <summary>
/// What an actor system needs to run the RLHF actors: the message serializer with its allow-list
/// (<see cref="RlhfSerialization.AkkaConfig"/>) and the dispatcher of the model actors. The hosting layer and the
/// users' testkit put <see cref="AkkaConfig"/> under every system they create.
/// </summary>
public static class RlhfActors
{
    /// <summary>
    /// The configuration of the dispatchers of every actor that runs a model (roles, offline stages), and the id of their
    /// thread side: a thread of its own per actor. The pool side (<see cref="Dispatch.ModelDispatchers.PoolId"/>, the .NET
    /// thread pool with a thread reserved per actor) takes the same keys; <c>thread-per-actor</c> picks the side, by
    /// default by the model's size (<see cref="Dispatch.ModelDispatchers"/>). Either way long forward and backward passes
    /// never starve the default dispatcher (asks, timers, the coordinator, a cluster's heartbeats)
    /// (<see cref="Dispatch.ModelDispatcherConfigurator"/>). Under <c>akka</c>, so that a user's
    /// <c>akka.rlhf.model-dispatcher</c> keys reach it.
    /// </summary>
    public const string ModelDispatcher = "akka.rlhf.model-dispatcher";

    /// <summary>The Akka configuration of the RLHF actors (a fallback of the system's own).</summary>
    public static Config AkkaConfig { get; } = ConfigurationFactory.ParseString($$"""
        {{ModelDispatcher}} {
          type = "AkkaRlhf.Actors.Dispatch.ModelDispatcherConfigurator, AkkaRlhf.Actors"
          # on: a thread of its own per model actor; off: the .NET thread pool, a thread reserved per model actor;
          # auto: the pool for models below pool-below-parameters, a thread each for larger ones (the pool: less
          # messaging for small models, more memory for large ones: ModelDispatchers). Default auto.
          thread-per-actor = auto
          # With auto: a model with fewer parameters runs on the pool. Default 10000000.
          pool-below-parameters = 10000000
          executor = default-executor
          throughput = 1
        }
        """).WithFallback(RlhfSerialization.AkkaConfig);

    /// <summary>
    /// <paramref name="props"/> of an actor that runs <paramref name="model"/> on the model dispatcher that
    /// <c>thread-per-actor</c> gives a model of its size in <paramref name="system"/> (<see cref="Dispatch.ModelDispatchers"/>).
    /// </summary>
    public static Props OnModelDispatcher(this Props props, ActorSystem system, TorchSharp.torch.nn.Module model) =>
        props.WithDispatcher(Dispatch.ModelDispatchers.Get(system).For(Models.ParameterCount.Of(model)));
}
