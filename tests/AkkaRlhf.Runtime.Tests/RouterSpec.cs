using AkkaRlhf.Runtime;
using AkkaRlhf.Runtime.Routing;
using Xunit.Abstractions;

namespace AkkaRlhf.Runtime.Tests;

public sealed class RouterSpec(ITestOutputHelper output) : TestKit.TestKit(output)
{
    /// <summary>Replies "name:message" so a test sees which routee handled what.</summary>
    private sealed class NamedEcho : ReceiveActor
    {
        public NamedEcho() => ReceiveAny(m => Sender.Tell($"{Self.Path.Name}:{Key(m)}"));

        private static object Key(object m) => m is Keyed k ? k.Value : m;
    }

    private sealed record Keyed(string Key, string Value) : IConsistentHashable
    {
        public object ConsistentHashKey => Key;
    }

    private static string Routee(object reply) => ((string)reply).Split(':')[0];

    [Fact]
    public void RoundRobinPool_must_route_in_order()
    {
        var router = Sys.ActorOf(Props.Create<NamedEcho>().WithRouter(new RoundRobinPool(3)));
        for (var i = 0; i < 9; i++) router.Tell(i);
        var routeeOf = ReceiveN(9).Cast<string>().Select(r => r.Split(':')).ToDictionary(p => int.Parse(p[1]), p => p[0]);
        for (var i = 0; i < 9; i++) Assert.Equal("$" + (i % 3), routeeOf[i]);
    }

    [Fact]
    public void RoundRobinGroup_must_route_to_the_given_actors_in_turn()
    {
        var probes = Enumerable.Range(0, 3).Select(_ => CreateTestProbe()).ToList();
        var router = Sys.ActorOf(Props.Create<EchoActor>().WithRouter(new RoundRobinGroup(probes.Select(p => p.Ref))));
        for (var i = 0; i < 6; i++) router.Tell(i);
        for (var i = 0; i < 6; i++) probes[i % 3].ExpectMsg(i);
    }

    [Fact]
    public void RoundRobinGroup_must_resolve_routees_by_path()
    {
        Sys.ActorOf(Props.Create<NamedEcho>(), "w1");
        Sys.ActorOf(Props.Create<NamedEcho>(), "w2");
        var router = Sys.ActorOf(Props.Create<EchoActor>().WithRouter(new RoundRobinGroup("/user/w1", "/user/w2")));
        router.Tell("a");
        ExpectMsg("w1:a");
        router.Tell("b");
        ExpectMsg("w2:b");
    }

    [Fact]
    public void BroadcastPool_must_deliver_to_all_routees()
    {
        var router = Sys.ActorOf(Props.Create<NamedEcho>().WithRouter(new BroadcastPool(4)));
        router.Tell("all");
        var routees = ReceiveN(4).Select(Routee).ToHashSet();
        Assert.Equal(4, routees.Count);
    }

    [Fact]
    public void BroadcastGroup_must_deliver_to_all_given_actors()
    {
        var probes = Enumerable.Range(0, 3).Select(_ => CreateTestProbe()).ToList();
        var router = Sys.ActorOf(Props.Create<EchoActor>().WithRouter(new BroadcastGroup(probes.Select(p => p.Ref))));
        router.Tell("hello");
        foreach (var probe in probes) probe.ExpectMsg("hello");
    }

    [Fact]
    public void Broadcast_message_must_reach_every_routee_of_any_router()
    {
        var router = Sys.ActorOf(Props.Create<NamedEcho>().WithRouter(new RoundRobinPool(3)));
        router.Tell(new Broadcast("everyone"));
        Assert.Equal(3, ReceiveN(3).Select(Routee).Distinct().Count());
    }

    [Fact]
    public void ConsistentHashingPool_must_send_the_same_key_to_the_same_routee()
    {
        var router = Sys.ActorOf(Props.Create<NamedEcho>().WithRouter(new ConsistentHashingPool(5)));
        var keys = Enumerable.Range(0, 20).Select(i => "key" + i).ToList();
        var first = new Dictionary<string, string>();
        foreach (var key in keys)
        {
            router.Tell(new Keyed(key, key));
            first[key] = Routee(ExpectMsg<string>());
        }
        foreach (var key in keys)
        {
            router.Tell(new Keyed(key, key));
            Assert.Equal(first[key], Routee(ExpectMsg<string>()));
        }
        Assert.True(first.Values.Distinct().Count() > 1, "keys should spread over several routees");
    }

    [Fact]
    public void ConsistentHashing_must_support_a_hash_mapping_and_envelopes()
    {
        var router = Sys.ActorOf(Props.Create<NamedEcho>().WithRouter(
            new ConsistentHashingPool(4, hashMapping: m => m is string s ? s[..1] : null)));
        router.Tell("apple");
        var a = Routee(ExpectMsg<string>());
        router.Tell("avocado");
        Assert.Equal(a, Routee(ExpectMsg<string>()));
        router.Tell(new ConsistentHashableEnvelope("inside", "k"));
        Assert.EndsWith(":inside", ExpectMsg<string>());
    }

    [Fact]
    public void ConsistentHashingGroup_must_send_the_same_key_to_the_same_routee()
    {
        var routees = Enumerable.Range(0, 4).Select(i => Sys.ActorOf(Props.Create<NamedEcho>(), "h" + i)).ToList();
        var router = Sys.ActorOf(Props.Empty.WithRouter(new ConsistentHashingGroup(routees)));
        foreach (var key in new[] { "a", "b", "c", "d", "e" })
        {
            router.Tell(new Keyed(key, "1"));
            var first = Routee(ExpectMsg<string>());
            router.Tell(new Keyed(key, "2"));
            Assert.Equal(first, Routee(ExpectMsg<string>()));
        }
    }

    [Fact]
    public async Task SmallestMailboxPool_must_prefer_an_idle_routee()
    {
        var gate = new TaskCompletionSource();
        var router = Sys.ActorOf(Props.Create(() => new Blocking(gate.Task)).WithRouter(new SmallestMailboxPool(2)));
        router.Tell("block");
        var busy = await ExpectMsgAsync<string>(s => s.StartsWith("blocked", StringComparison.Ordinal));
        for (var i = 0; i < 3; i++)
        {
            router.Tell("which");
            var idle = await ExpectMsgAsync<string>();
            Assert.NotEqual(busy.Split(' ')[1], idle);
        }
        gate.SetResult();
    }

    [Fact]
    public void SmallestMailboxGroup_must_prefer_the_routee_with_the_fewest_messages()
    {
        var gate = new TaskCompletionSource();
        var busy = Sys.ActorOf(Props.Create(() => new Blocking(gate.Task)), "busy");
        var idle = Sys.ActorOf(Props.Create(() => new Blocking(gate.Task)), "idle");
        busy.Tell("block");
        ExpectMsg("blocked busy");
        busy.Tell("queued");
        var router = Sys.ActorOf(Props.Empty.WithRouter(new SmallestMailboxGroup([busy, idle])));
        router.Tell("which");
        ExpectMsg("idle");
        gate.SetResult();
        ExpectMsg("busy");
    }

    [Fact]
    public void Pool_must_supervise_its_routees_by_restarting_them()
    {
        var router = Sys.ActorOf(Props.Create(() => new LifecycleActor(TestActor)).WithRouter(new RoundRobinPool(1)));
        ExpectMsg("PreStart");
        router.Tell("fail");
        ExpectMsg("PreRestart:boom:fail");
        ExpectMsg("PostStop");
        ExpectMsg("PostRestart");
        ExpectMsg("PreStart");
        router.Tell("still routed");
        ExpectMsg("still routed");
    }

    [Fact]
    public void GetRoutees_must_list_the_pool_routees()
    {
        var router = Sys.ActorOf(Props.Create<EchoActor>().WithRouter(new RoundRobinPool(3)));
        router.Tell(GetRoutees.Instance);
        Assert.Equal(3, ExpectMsg<Routees>().Members.Count);
    }

    private sealed class Blocking : ReceiveActor
    {
        public Blocking(Task gate)
        {
            ReceiveAsync<string>(async _ =>
            {
                Sender.Tell("blocked " + Self.Path.Name);
                await gate;
            }, s => s == "block");
            Receive<string>(_ => Sender.Tell(Self.Path.Name));
        }
    }
}
