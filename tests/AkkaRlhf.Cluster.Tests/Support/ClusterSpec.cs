using AkkaRlhf.Cluster.TestNode;
using AkkaRlhf.Runtime;
using AkkaRlhf.Runtime.Event;
using Xunit.Abstractions;

namespace AkkaRlhf.Cluster.Tests.Support;

/// <summary>
/// Base of the broker specs: a private broker per spec, in-process nodes and node processes that are
/// all stopped on dispose (also when the spec fails), and error logs written to the test output.
/// </summary>
public abstract class ClusterSpec(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly List<ActorSystem> _systems = [];
    private readonly List<NodeProcess> _processes = [];

    protected RabbitMqBroker Broker { get; private set; } = null!;

    protected ITestOutputHelper Output { get; } = output;

    /// <summary>Settings with short membership timeouts for the specs.</summary>
    protected ClusterSettings Settings(string hostname, params string[] roles) => ClusterSettings.ForLoopback(Broker.Port, roles) with
    {
        Hostname = hostname,
        HeartbeatInterval = TimeSpan.FromMilliseconds(250),
        UnreachableAfter = TimeSpan.FromSeconds(1.5),
        RemovedAfter = TimeSpan.FromSeconds(3),
        MinBackoff = TimeSpan.FromMilliseconds(100),
        MaxBackoff = TimeSpan.FromSeconds(1),
    };

    /// <summary>An in-process node; its error logs are kept in <paramref name="errors"/> when given.</summary>
    protected async Task<ClusterNode> JoinAsync(ClusterSettings settings, Recorder.Handle? errors = null, LogLevel logLevel = LogLevel.Info)
    {
        var system = TestMessages.Register(ActorSystem.Create("rlhf", ActorSystemSettings.Default.WithStdoutLogging(false).WithLogLevel(logLevel)));
        _systems.Add(system);
        var log = Recorder.Create(system, "log");
        system.EventStream.Subscribe(log.Actor, typeof(Warning));
        system.EventStream.Subscribe(log.Actor, typeof(Error));
        if (errors is not null) system.EventStream.Subscribe(errors.Actor, typeof(Error));
        _logs.Add((settings.Hostname, log));
        return await ClusterNode.JoinAsync(system, settings, TimeSpan.FromSeconds(30));
    }

    private readonly List<(string Node, Recorder.Handle Log)> _logs = [];

    /// <summary>A node in its own process.</summary>
    protected async Task<NodeProcess> StartProcessAsync(string hostname, string roles = "worker", params string[] extra)
    {
        var process = await NodeProcess.StartAsync(Broker.Port, hostname, roles, extra);
        _processes.Add(process);
        return process;
    }

    /// <summary>The CLI (akka-rlhf.dll) in its own process, stopped on dispose; see <see cref="NodeProcess.StartCliAsync"/>.</summary>
    protected async Task<NodeProcess> StartCliAsync(string name, string workDir, string? readyPrefix, params string[] args)
    {
        var process = await NodeProcess.StartCliAsync(name, workDir, readyPrefix, args);
        _processes.Add(process);
        return process;
    }

    public async Task InitializeAsync() => Broker = await RabbitMqBroker.StartAsync();

    public async Task DisposeAsync()
    {
        foreach (var (node, log) in _logs)
            foreach (var m in log.Messages) Output.WriteLine($"[{node}] {m}");
        foreach (var p in _processes)
        {
            Output.WriteLine($"--- {p.Hostname} output (last 30 lines) ---\n{string.Join('\n', p.Lines.TakeLast(30))}");
            p.Dispose();
        }
        foreach (var system in _systems)
        {
            try { await ClusterNode.Get(system).LeaveAsync().WaitAsync(TimeSpan.FromSeconds(10)); } catch (Exception) { }
            await system.Terminate().WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { }, TaskScheduler.Default);
        }
        await Broker.DisposeAsync();
    }
}
