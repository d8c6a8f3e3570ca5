using Akka.Actor;
using AkkaRlhf.Actors;
using AkkaRlhf.Configuration;
using AkkaConfig = Akka.Configuration.Config;
using RlhfConfig = AkkaRlhf.Configuration.Config;

namespace AkkaRlhf.Hosting;

/// <summary>
/// Akka actor systems built from the application's configuration: the tree the project's HOCON reader merged and
/// resolved ONCE at start-up (reference.conf &lt; user file &lt; environment &lt; --set, <see cref="AppConfig"/>) is handed
/// to Akka as an <see cref="AkkaConfig"/> (its <c>akka</c> subtree, rendered and parsed once: plain values, no
/// substitutions or includes left for Akka's parser), over the RLHF serializer bindings and the given fallbacks.
/// </summary>
public static class ActorSystems
{
    /// <summary>The Akka configuration of <paramref name="config"/>'s <c>akka</c> keys, over <paramref name="fallbacks"/> and the RLHF serializer.</summary>
    public static AkkaConfig ToAkkaConfig(RlhfConfig config, params AkkaConfig[] fallbacks)
    {
        var akka = config.HasPath("akka") ? Akka.Configuration.ConfigurationFactory.ParseString("akka " + config.GetConfig("akka").ToHocon().Insert(0, "{\n") + "}")
            : AkkaConfig.Empty;
        return fallbacks.Append(RlhfActors.AkkaConfig).Aggregate(akka, (above, below) => above.WithFallback(below));
    }

    /// <summary>
    /// Creates the system <paramref name="name"/> from <paramref name="config"/> (see <see cref="ToAkkaConfig"/>); a bad
    /// <c>akka.rlhf.model-dispatcher</c> setting fails here, before any work.
    /// </summary>
    public static ActorSystem Create(string name, RlhfConfig config, params AkkaConfig[] fallbacks)
    {
        var system = ActorSystem.Create(name, ToAkkaConfig(config, fallbacks));
        try { Actors.Dispatch.ModelDispatchers.Get(system); }
        catch (Exception e)
        {
            system.Terminate().Wait(TimeSpan.FromSeconds(10));
            if (e is ConfigurationException { Path: { } path } && config.GetValue(path) is { Origin: { } origin })
                throw new ConfigurationException($"{origin}: {e.Message}", origin, path, e);   // where the value was written
            throw;
        }
        return system;
    }
}
