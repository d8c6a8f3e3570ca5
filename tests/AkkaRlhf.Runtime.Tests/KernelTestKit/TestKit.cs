using AkkaRlhf.Runtime;
using AkkaRlhf.Runtime.Event;
using AkkaRlhf.TestKit.Internal;
using Xunit;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace AkkaRlhf.TestKit;

/// <summary>
/// Base class for actor specs (xunit): a fresh <see cref="TestKitBase.Sys"/> per test, a
/// <see cref="TestKitBase.TestActor"/> that is the implicit sender of <c>actor.Tell(msg)</c> in the
/// test, and the system's log and dead letters written to the test output when one is given.
/// The system is terminated at the end of each test, and the test fails if it does not terminate.
/// </summary>
public abstract class TestKit : TestKitBase, IAsyncLifetime, IDisposable
{
    private static int s_systemCount;
    private Task? _shutdown;

    /// <summary>Creates the system (named after the test class) and the test actor.</summary>
    protected TestKit(ITestOutputHelper? output = null, ActorSystemSettings? settings = null, string? systemName = null)
        : base(CreateSystem(output, settings, systemName))
    {
        Output = output;
        ImplicitSender.Current = TestActor;
        if (output is not null)
        {
            var logger = Sys.SystemActorOf(Props.CreateBy(() => new TestOutputLogger(output)), "test-output-logger");
            Sys.EventStream.Subscribe(logger, typeof(LogEvent));
            Sys.EventStream.Subscribe(logger, typeof(DeadLetter));
        }
    }

    /// <summary>The test output, if given.</summary>
    protected ITestOutputHelper? Output { get; }

    /// <summary>How long shutdown may take before the test fails: 10 s, dilated.</summary>
    protected TimeSpan ShutdownTimeout => Dilated(TimeSpan.FromSeconds(10));

    /// <inheritdoc />
    public virtual Task InitializeAsync() => Task.CompletedTask;

    /// <inheritdoc />
    public virtual Task DisposeAsync() => ShutdownAsync();

    /// <summary>Terminates the system (once) and fails if it does not terminate in time.</summary>
    protected Task ShutdownAsync() => _shutdown ??= ShutdownCore();

    /// <inheritdoc />
    public void Dispose()
    {
        Block(ShutdownAsync);
        GC.SuppressFinalize(this);
    }

    private async Task ShutdownCore()
    {
        try
        {
            await Sys.Terminate().WaitAsync(ShutdownTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new XunitException($"ActorSystem {Sys.Name} did not terminate within {ShutdownTimeout.TotalSeconds:0.#} s.");
        }
    }

    private static ActorSystem CreateSystem(ITestOutputHelper? output, ActorSystemSettings? settings, string? name)
    {
        settings ??= ActorSystemSettings.Default;
        if (output is not null) settings = settings.WithStdoutLogging(false);
        return ActorSystem.Create(name ?? "test-" + Interlocked.Increment(ref s_systemCount), settings);
    }
}
