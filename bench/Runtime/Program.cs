using System.Globalization;
using Akka.Actor;
using Akka.Configuration;
using AkkaRlhf.Runtime.Bench;

// Akka.NET micro-benchmarks: actor ping-pong vs raw Channel<T> ping-pong, Ask vs TaskCompletionSource.
// Run: dotnet run -c Release --project bench/Runtime
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
const int roundTrips = 1_000_000;
const int asks = 200_000;
const int repeats = 5;

var config = ConfigurationFactory.ParseString("""
    akka {
      loglevel = WARNING
      stdout-loglevel = WARNING
      log-dead-letters = off
      actor.default-dispatcher {
        executor = default-executor   # the .NET thread pool
        throughput = 30
      }
    }
    """);
var system = ActorSystem.Create("bench", config);
var dispatcher = system.Settings.Config.GetConfig("akka.actor.default-dispatcher");
var settings = $"Akka.NET {typeof(ActorSystem).Assembly.GetName().Version}, loglevel {system.Settings.LogLevel}, " +
               $"default dispatcher {dispatcher.GetString("executor")} throughput {dispatcher.GetInt("throughput")}";

// warm-up (JIT, tiered compilation, thread pool)
await PingPong.Actors(system, 1, 100_000);
await PingPong.Channels(1, 100_000);
await AskRoundTrip.Ask(system, 20_000);
await AskRoundTrip.TaskCompletionSource(20_000);

async Task<double> Best(Func<Task<double>> run, bool higherIsBetter)
{
    var results = new List<double>();
    for (var i = 0; i < repeats; i++) results.Add(await run());
    return higherIsBetter ? results.Max() : results.Min();
}

var actor1 = await Best(() => PingPong.Actors(system, 1, roundTrips), true);
var channel1 = await Best(() => PingPong.Channels(1, roundTrips), true);
var actor4 = await Best(() => PingPong.Actors(system, 4, roundTrips / 4), true);
var channel4 = await Best(() => PingPong.Channels(4, roundTrips / 4), true);
var ask = await Best(() => AskRoundTrip.Ask(system, asks), false);
var tcs = await Best(() => AskRoundTrip.TaskCompletionSource(asks), false);
await system.Terminate();

Console.WriteLine($"Runtime bench ({Environment.ProcessorCount} cores, .NET {Environment.Version}, best of {repeats})");
Console.WriteLine($"Settings: {settings}");
Console.WriteLine();
Console.WriteLine("| benchmark | Akka.NET | baseline | ratio | target |");
Console.WriteLine("|---|---|---|---|---|");
Console.WriteLine($"| ping-pong, 1 pair (msg/s) | {actor1:N0} | {channel1:N0} (Channel<T>) | {actor1 / channel1:0.00}x | >= 0.5x |");
Console.WriteLine($"| ping-pong, 4 pairs (msg/s) | {actor4:N0} | {channel4:N0} (Channel<T>) | {actor4 / channel4:0.00}x | >= 0.5x |");
Console.WriteLine($"| ask round trip (us) | {ask:0.00} | {tcs:0.00} (TaskCompletionSource) | {ask / tcs:0.00}x | <= 3x |");
