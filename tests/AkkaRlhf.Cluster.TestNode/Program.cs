using AkkaRlhf.Cluster;
using AkkaRlhf.Cluster.TestNode;
using AkkaRlhf.Runtime;

// Usage: AkkaRlhf.Cluster.TestNode --broker-port N --hostname NAME [--roles worker] [--max-message-size BYTES]
// Serves the given roles with a Worker, prints "ready ADDRESS", and exits when stdin closes
// (the test process went away) or after 10 minutes, whichever comes first.
var options = new Dictionary<string, string>();
for (var i = 0; i + 1 < args.Length; i += 2) options[args[i].TrimStart('-')] = args[i + 1];
var port = int.Parse(options["broker-port"]);
var hostname = options.GetValueOrDefault("hostname", "test-node");
var roles = options.GetValueOrDefault("roles", "worker").Split(',', StringSplitOptions.RemoveEmptyEntries);

var system = TestMessages.Register(ActorSystem.Create("rlhf", ActorSystemSettings.Default.WithStdoutLogging(false)));
var settings = ClusterSettings.ForLoopback(port) with
{
    Hostname = hostname,
    Roles = roles,
    HeartbeatInterval = TimeSpan.FromMilliseconds(250),
    UnreachableAfter = TimeSpan.FromSeconds(1.5),
    RemovedAfter = TimeSpan.FromSeconds(3),
    MinBackoff = TimeSpan.FromMilliseconds(100),
    MaxBackoff = TimeSpan.FromSeconds(1),
};
if (options.TryGetValue("max-message-size", out var max)) settings = settings with { MaxMessageSize = int.Parse(max), ChunkSize = 1024 };
void Print(string line) { lock (Console.Out) Console.WriteLine(line); }
system.EventStream.Subscribe(system.ActorOf(Props.CreateBy(() => new Printer(Print))), typeof(AkkaRlhf.Runtime.Event.LogEvent));

var node = await ClusterNode.JoinAsync(system, settings, TimeSpan.FromSeconds(30));
foreach (var role in roles)
    await node.ServeRoleAsync(role, system.ActorOf(Props.CreateBy(() => new Worker(hostname, Print)), role));
Print($"ready {node.SelfAddress}");

var stdinClosed = Task.Run(() => { while (Console.In.ReadLine() is not null) { } });
await Task.WhenAny(stdinClosed, Task.Delay(TimeSpan.FromMinutes(10)));
await node.LeaveAsync();
await system.Terminate().WaitAsync(TimeSpan.FromSeconds(10));

/// <summary>Prints log events.</summary>
internal sealed class Printer : ReceiveActor
{
    public Printer(Action<string> print) => ReceiveAny(m => print("log " + m));
}
