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
    /// The dispatcher of every actor that runs a model (roles, offline stages): a thread of its own per actor by default,
    /// or (<c>thread-per-actor = off</c>) the .NET thread pool with a thread reserved per actor; either way long forward and
    /// backward passes never starve the default dispatcher (asks, timers, the coordinator, a cluster's heartbeats)
    /// (<see cref="Dispatch.ModelDispatcherConfigurator"/>). Under <c>akka</c>, so that a user's
    /// <c>akka.rlhf.model-dispatcher</c> keys reach it.
    /// </summary>
    public const string ModelDispatcher = "akka.rlhf.model-dispatcher";

    /// <summary>The Akka configuration of the RLHF actors (a fallback of the system's own).</summary>
    public static Config AkkaConfig { get; } = ConfigurationFactory.ParseString($$"""
        {{ModelDispatcher}} {
          type = "AkkaRlhf.Actors.Dispatch.ModelDispatcherConfigurator, AkkaRlhf.Actors"
          # on: a thread of its own per model actor; off: the .NET thread pool, a thread reserved per model actor
          # (less messaging for small models, more memory for large ones: ModelDispatcherConfigurator). Default on.
          thread-per-actor = on
          executor = default-executor
          throughput = 1
        }
        """).WithFallback(RlhfSerialization.AkkaConfig);

    /// <summary><paramref name="props"/> on the model dispatcher.</summary>
    public static Props OnModelDispatcher(this Props props) => props.WithDispatcher(ModelDispatcher);
}
