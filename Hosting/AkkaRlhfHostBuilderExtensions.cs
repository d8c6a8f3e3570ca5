using AkkaRlhf.Configuration;
using AkkaRlhf.Hosting.Host;
using AkkaRlhf.Runtime;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AkkaRlhf.Hosting;

/// <summary>
/// Runs an AkkaRlhf actor system inside a .NET generic host, the way Akka.Hosting does for Akka.NET:
/// <code>
/// var builder = Host.CreateApplicationBuilder(args);
/// builder.Services.AddAkkaRlhf("rlhf", options => options
///     .WithConfigFile("rlhf.conf")
///     .WithOverrides("akka.loglevel = DEBUG")
///     .WithActors((system, registry) => registry.Register&lt;Learner&gt;(system.ActorOf(Props.Create&lt;Learner&gt;(), "learner"))));
/// await builder.Build().RunAsync();
/// </code>
/// </summary>
public static class AkkaRlhfHostBuilderExtensions
{
    /// <summary>
    /// Registers, as singletons, the merged <see cref="Config"/>, an <see cref="ActorSystem"/> named
    /// <paramref name="actorSystemName"/> created from it, an <see cref="ActorRegistry"/>, and a hosted
    /// service that runs the start-up actions when the host starts, terminates the system when the
    /// host stops, and stops the host if the system terminates first. Call it once per service collection.
    /// </summary>
    /// <exception cref="InvalidOperationException">AddAkkaRlhf was already called on <paramref name="services"/>.</exception>
    public static IServiceCollection AddAkkaRlhf(this IServiceCollection services, string actorSystemName, Action<AkkaRlhfOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.Any(d => d.ServiceType == typeof(AkkaRlhfOptions)))
            throw new InvalidOperationException("AddAkkaRlhf was already called: one actor system per host.");
        var options = new AkkaRlhfOptions();
        configure?.Invoke(options);
        services.AddSingleton(options);
        services.AddSingleton(_ => options.BuildConfig());
        services.AddSingleton(sp => ActorSystem.Create(actorSystemName, sp.GetRequiredService<Config>()));
        services.TryAddSingleton<ActorRegistry>();
        services.AddHostedService<ActorSystemHostedService>();
        return services;
    }

    /// <summary>The same on a host builder: <c>Host.CreateDefaultBuilder().AddAkkaRlhf("rlhf", ...)</c>.</summary>
    public static Microsoft.Extensions.Hosting.IHostBuilder AddAkkaRlhf(this Microsoft.Extensions.Hosting.IHostBuilder builder,
        string actorSystemName, Action<AkkaRlhfOptions>? configure = null) =>
        builder.ConfigureServices((_, services) => services.AddAkkaRlhf(actorSystemName, configure));
}
