using AkkaRlhf.Runtime;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AkkaRlhf.Hosting.Host;

/// <summary>
/// Ties the actor system's life to the host's: on start it runs the start-up actions; on stop it
/// terminates the system (waiting at most <see cref="AkkaRlhfOptions.TerminateTimeout"/>); and when
/// the system terminates by itself (an actor called <c>Terminate()</c>) it asks the host to stop.
/// </summary>
internal sealed class ActorSystemHostedService(
    ActorSystem system,
    ActorRegistry registry,
    AkkaRlhfOptions options,
    IServiceProvider services,
    IHostApplicationLifetime lifetime,
    ILogger<ActorSystemHostedService> logger) : IHostedService
{
    private volatile bool _stopping;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            foreach (var start in options.Starters)
            {
                cancellationToken.ThrowIfCancellationRequested();
                start(system, registry, services);
            }
        }
        catch
        {
            system.Terminate();
            throw;
        }
        system.WhenTerminated.ContinueWith(_ => OnTerminated(), CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        logger.LogInformation("Actor system {System} started with {Count} start-up action(s)", system.Name, options.Starters.Count);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping = true;
        try
        {
            await system.Terminate().WaitAsync(options.TerminateTimeout, cancellationToken).ConfigureAwait(false);
            logger.LogInformation("Actor system {System} terminated", system.Name);
        }
        catch (TimeoutException)
        {
            logger.LogWarning("Actor system {System} did not terminate within {Timeout}", system.Name, options.TerminateTimeout);
        }
    }

    private void OnTerminated()
    {
        if (_stopping) return;
        logger.LogInformation("Actor system {System} terminated by itself: stopping the host", system.Name);
        lifetime.StopApplication();
    }
}
