using Akka.Configuration;
using Akka.Dispatch;

namespace AkkaRlhf.Actors.Dispatch;

/// <summary>
/// The model dispatcher: one <see cref="ModelDispatcher"/> for every model actor of the system, on the executor its config
/// names (<c>executor</c>, the .NET thread pool by default). Reads the usual dispatcher keys (<c>throughput</c>,
/// <c>throughput-deadline-time</c>, <c>shutdown-timeout</c>).
/// </summary>
/// <remarks>Named by <c>type</c> in <see cref="RlhfActors.ModelDispatcher"/>'s config.</remarks>
public sealed class ModelDispatcherConfigurator : MessageDispatcherConfigurator
{
    private readonly ModelDispatcher _instance;

    public ModelDispatcherConfigurator(Config config, IDispatcherPrerequisites prerequisites) : base(config, prerequisites)
    {
        var deadline = Config.GetTimeSpan("throughput-deadline-time", null);
        _instance = new ModelDispatcher(this, Config.GetString("id"), Config.GetInt("throughput"), deadline > TimeSpan.Zero ? deadline.Ticks : null,
            ConfigureExecutor(), Config.GetTimeSpan("shutdown-timeout", null));
    }

    public override MessageDispatcher Dispatcher() => _instance;
}
