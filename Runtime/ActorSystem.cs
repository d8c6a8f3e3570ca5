using System.Text.RegularExpressions;
using AkkaRlhf.Runtime.Event;
using AkkaRlhf.Runtime.Scheduling;
using AkkaRlhf.Runtime.Serialization;

namespace AkkaRlhf.Runtime;

/// <summary>
/// A hierarchy of actors sharing settings, an event stream, a scheduler and dead letters.
/// Actors created with <see cref="ActorOf"/> live under <c>/user</c>; <see cref="Terminate"/> stops
/// them all top-down (children before their parent's PostStop) and then completes <see cref="WhenTerminated"/>.
/// </summary>
public sealed partial class ActorSystem : IDisposable
{
    private readonly ActorCell _root;
    private readonly ActorCell _userGuardian;
    private readonly ActorCell _systemGuardian;
    private readonly TimerBasedScheduler _scheduler;
    private readonly TaskCompletionSource _terminated = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ActorSystem(string name, ActorSystemSettings settings)
    {
        Name = name;
        Settings = settings;
        SerializeMessages = settings.SerializeMessages;
        Address = new Address(Address.LocalProtocol, name);
        RootPath = ActorPath.Root(Address);
        EventStream = new EventStream();
        Log = CreateLogger($"ActorSystem({name})", typeof(ActorSystem));
        if (settings.StdoutLogging) EventStream.Subscribe(new StandardOutLogger(this), typeof(LogEvent));
        DeadLetterRef = new DeadLetterActorRef(this, RootPath / "deadLetters");
        _scheduler = new TimerBasedScheduler(Log);
        Serialization = new MessageSerialization(this);

        _root = new ActorCell(this, RootPath, Props.CreateBy(() => new GuardianActor(isRoot: true)), parent: null);
        var guardian = Props.CreateBy(() => new GuardianActor(isRoot: false));
        _userGuardian = ((LocalActorRef)_root.ActorOf(guardian, "user")).Cell;
        _systemGuardian = ((LocalActorRef)_root.ActorOf(guardian, "system")).Cell;
        _root.Start();
    }

    /// <summary>Creates and starts a system; <paramref name="name"/> may use letters, digits, '-' and '_'.</summary>
    public static ActorSystem Create(string name, ActorSystemSettings? settings = null)
    {
        if (!ValidName().IsMatch(name ?? ""))
            throw new ArgumentException($"Invalid actor system name [{name}]: use letters, digits, '-' and '_'.", nameof(name));
        return new ActorSystem(name!, settings ?? ActorSystemSettings.Default);
    }

    /// <summary>Creates a system with settings read from <paramref name="config"/> (over the runtime's reference.conf).</summary>
    public static ActorSystem Create(string name, AkkaRlhf.Configuration.Config config) =>
        Create(name, ActorSystemSettings.FromConfig(config));

    /// <summary>The system's name.</summary>
    public string Name { get; }

    /// <summary>The settings it was created with.</summary>
    public ActorSystemSettings Settings { get; }

    /// <summary>The local address (<c>akka://name</c>).</summary>
    public Address Address { get; }

    /// <summary>Publish/subscribe for system events (dead letters, unhandled messages, logs) and your own.</summary>
    public EventStream EventStream { get; }

    /// <summary>Where undeliverable messages go.</summary>
    public IActorRef DeadLetters => DeadLetterRef;

    /// <summary>Sends messages later.</summary>
    public IScheduler Scheduler => _scheduler;

    /// <summary>The system's logger.</summary>
    public ILoggingAdapter Log { get; }

    /// <summary>The message serializer and its allow-list.</summary>
    public MessageSerialization Serialization { get; }

    /// <summary>Completes once every actor has stopped after <see cref="Terminate"/>.</summary>
    public Task WhenTerminated => _terminated.Task;

    internal ActorPath RootPath { get; }

    internal DeadLetterActorRef DeadLetterRef { get; }

    internal bool SerializeMessages { get; }

    /// <summary>Creates a top-level actor under <c>/user</c>.</summary>
    public IActorRef ActorOf(Props props, string? name = null) => _userGuardian.ActorOf(props, name);

    /// <summary>Creates a kernel or tooling actor under <c>/system</c> (it outlives the user actors at shutdown).</summary>
    public IActorRef SystemActorOf(Props props, string? name = null) => _systemGuardian.ActorOf(props, name);

    /// <summary>Stops <paramref name="actor"/> asynchronously.</summary>
    public void Stop(IActorRef actor)
    {
        if (actor is InternalActorRef target) target.SendSystemMessage(new Dispatch.Terminate());
    }

    /// <summary>Stops all actors (user actors first) and returns <see cref="WhenTerminated"/>.</summary>
    public Task Terminate()
    {
        _userGuardian.Self.SendSystemMessage(new Dispatch.Terminate());
        return WhenTerminated;
    }

    /// <summary>Starts <see cref="Terminate"/> without waiting.</summary>
    public void Dispose() => Terminate();

    internal ILoggingAdapter CreateLogger(string source, Type logClass) => new LoggingAdapter(EventStream, Settings.LogLevel, source, logClass);

    internal ActorPath TempPath(string name) => RootPath / "temp" / name;

    internal void OnRootTerminated()
    {
        _scheduler.Dispose();
        _terminated.TrySetResult();
    }

    /// <inheritdoc />
    public override string ToString() => Address.ToString();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_-]*$")]
    private static partial Regex ValidName();
}
