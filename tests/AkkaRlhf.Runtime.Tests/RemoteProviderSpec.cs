using System.Collections.Concurrent;
using System.Text;
using AkkaRlhf.Runtime;
using Xunit.Abstractions;

namespace AkkaRlhf.Runtime.Tests;

public sealed record CarriesRef(IActorRef Ref, string Text);

/// <summary>
/// The provider hook (IRemoteActorRefProvider): references inside messages carry the transport's address and
/// resolve through it; Ask works with a transport's references. A loopback "network" of in-process systems
/// stands in for a transport here (the RabbitMQ one is specified in the cluster specs).
/// </summary>
public sealed class RemoteProviderSpec(ITestOutputHelper output) : TestKit.TestKit(output)
{
    [Fact]
    public void A_local_ref_inside_a_message_must_be_written_with_the_providers_address_and_resolve_back_to_the_local_actor()
    {
        var network = new LoopbackNetwork();
        var provider = network.Join(Sys, "host-a", 1);
        Sys.Serialization.Register<CarriesRef>("test.carries-ref");
        var actor = Sys.ActorOf(Props.Create(() => new EchoActor()), "echo");

        var serialized = Sys.Serialization.Serialize(new CarriesRef(actor, "hi"));
        Assert.Contains("\"loop://" + Sys.Name + "@host-a:1/user/echo\"", Encoding.UTF8.GetString(serialized.Json));
        var back = (CarriesRef)Sys.Serialization.Deserialize(serialized);
        Assert.Same(actor, back.Ref);
        Assert.Equal(provider.Address, Sys.ExternalPathOf(actor).Address);
    }

    [Fact]
    public void Without_a_provider_a_ref_must_be_written_with_the_local_address_and_another_address_must_resolve_to_dead_letters()
    {
        Sys.Serialization.Register<CarriesRef>("test.carries-ref");
        var actor = Sys.ActorOf(Props.Create(() => new EchoActor()), "echo");
        var json = Encoding.UTF8.GetString(Sys.Serialization.Serialize(new CarriesRef(actor, "hi")).Json);
        Assert.Contains($"\"akka://{Sys.Name}/user/echo\"", json);

        var elsewhere = Sys.ResolveActorRef(ActorPath.Parse("loop://other@host-b:2/user/echo"));
        Assert.False(elsewhere is IRemoteActorRef);
        Sys.EventStream.Subscribe(TestActor, typeof(Event.DeadLetter));
        elsewhere.Tell("lost", ActorRefs.NoSender);
        Assert.Equal("lost", ExpectMsg<Event.DeadLetter>().Message);
    }

    [Fact]
    public async Task A_ref_in_a_message_body_sent_to_another_system_must_be_replied_to_through_the_provider()
    {
        var network = new LoopbackNetwork();
        var other = ActorSystem.Create("other", ActorSystemSettings.Default.WithStdoutLogging(false));
        try
        {
            network.Join(Sys, "host-a", 1);
            var b = network.Join(other, "host-b", 2);
            Sys.Serialization.Register<CarriesRef>("test.carries-ref");
            other.Serialization.Register<CarriesRef>("test.carries-ref");
            // On B: tells the ref found in the message body (not the Sender).
            other.ActorOf(Props.CreateBy(() => new ReplyToBody()), "replier");

            var toReplier = Sys.ResolveActorRef(ActorPath.Parse($"loop://other@host-b:2/user/replier"));
            Assert.IsAssignableFrom<IRemoteActorRef>(toReplier);
            toReplier.Tell(new CarriesRef(TestActor, "ping"), ActorRefs.NoSender);
            Assert.Equal("pong to ping", await ExpectMsgAsync<string>());
            Assert.Equal(b.Address, LastSender.Path.Address); // the reply came from B, through the loopback
        }
        finally { await other.Terminate(); }
    }

    [Fact]
    public async Task Ask_must_work_with_a_transports_reference_and_the_reply_must_reach_the_temporary_reference()
    {
        var network = new LoopbackNetwork();
        var other = ActorSystem.Create("other", ActorSystemSettings.Default.WithStdoutLogging(false));
        try
        {
            network.Join(Sys, "host-a", 1);
            network.Join(other, "host-b", 2);
            other.ActorOf(Props.Create(() => new EchoActor()), "echo");

            var remote = Sys.ResolveActorRef(ActorPath.Parse("loop://other@host-b:2/user/echo"));
            Assert.Equal("hello", await remote.Ask<string>("hello", DefaultTimeout));
            var e = await Assert.ThrowsAsync<AskTimeoutException>(() =>
                Sys.ResolveActorRef(ActorPath.Parse("loop://other@host-b:2/user/nobody")).Ask<string>("anyone?", TimeSpan.FromMilliseconds(200)));
            Assert.Contains("loop://other@host-b:2/user/nobody", e.Message);
        }
        finally { await other.Terminate(); }
    }

    [Fact]
    public async Task An_asks_temporary_reference_must_resolve_by_its_path_while_pending_and_not_after()
    {
        var resolver = Sys.ActorOf(Props.CreateBy(() => new ReplyByResolvedPath()));
        var reply = await resolver.Ask<string>("resolve me", DefaultTimeout);
        Assert.StartsWith($"akka://{Sys.Name}/temp/$", reply);
        Sys.EventStream.Subscribe(TestActor, typeof(Event.DeadLetter));
        Sys.ResolveActorRef(ActorPath.Parse(reply)).Tell("late", ActorRefs.NoSender); // the ask is over
        Assert.Equal("late", (await ExpectMsgAsync<Event.DeadLetter>()).Message);
    }

    [Fact]
    public async Task Ask_must_refuse_a_reference_it_cannot_find_a_system_for_outside_an_actor()
    {
        ImplicitSender.Current = null;
        await Assert.ThrowsAsync<NotSupportedException>(() => new Nowhere().Ask<string>("x", TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public void Only_one_provider_must_be_registered_per_system()
    {
        var network = new LoopbackNetwork();
        var first = network.Join(Sys, "host-a", 1);
        Assert.Throws<InvalidOperationException>(() => network.Join(Sys, "host-a", 3));
        Sys.UnregisterRemoteActorRefProvider(first);
        Assert.Null(Sys.RemoteActorRefProvider);
    }

    private sealed class Nowhere : IActorRef
    {
        public ActorPath Path { get; } = ActorPath.Parse("loop://x@y:1/user/z");

        public void Tell(object message, IActorRef? sender) { }
    }

    private sealed class ReplyToBody : ReceiveActor
    {
        public ReplyToBody() => Receive<CarriesRef>(m => m.Ref.Tell("pong to " + m.Text, Self));
    }

    /// <summary>Replies through the reference its sender's path resolves to (as a transport would).</summary>
    private sealed class ReplyByResolvedPath : ReceiveActor
    {
        public ReplyByResolvedPath() => Receive<string>(_ =>
        {
            var path = Sender.Path;
            Context.System.ResolveActorRef(path).Tell(path.ToString(), Self);
        });
    }

    /// <summary>In-process systems that reach each other by serializing every message (a stand-in transport).</summary>
    private sealed class LoopbackNetwork
    {
        private readonly ConcurrentDictionary<Address, ActorSystem> _systems = new();

        public IRemoteActorRefProvider Join(ActorSystem system, string host, int port)
        {
            var provider = new Provider(this, system, new Address("loop", system.Name, host, port));
            system.RegisterRemoteActorRefProvider(provider);
            _systems[provider.Address] = system;
            return provider;
        }

        /// <summary>Delivers like a transport: serialize on the sending system, deserialize and resolve on the receiving one.</summary>
        public void Deliver(ActorSystem from, ActorPath recipient, object message, IActorRef? sender)
        {
            if (!_systems.TryGetValue(recipient.Address, out var to)) return;
            var wire = from.Serialization.Serialize(message);
            var senderPath = sender is null ? null : from.ExternalPathOf(sender).ToString();
            var received = to.Serialization.Deserialize(wire);
            var replyTo = senderPath is null ? null : to.ResolveActorRef(ActorPath.Parse(senderPath));
            to.ResolveActorRef(recipient).Tell(received, replyTo);
        }

        private sealed class Provider(LoopbackNetwork network, ActorSystem system, Address address) : IRemoteActorRefProvider
        {
            public Address Address { get; } = address;

            public ActorPath ExternalPathOf(IActorRef localActor) => ActorPath.Parse(Address + localActor.Path.ToStringWithoutAddress());

            public IActorRef? ResolveActorRef(ActorPath path) =>
                path.Address.Equals(Address) ? system.ResolveActorRef(path.ToStringWithoutAddress())
                : network._systems.ContainsKey(path.Address) ? new LoopbackRef(network, system, path)
                : null;
        }

        private sealed class LoopbackRef(LoopbackNetwork network, ActorSystem system, ActorPath path) : IRemoteActorRef
        {
            public ActorPath Path { get; } = path;

            public ActorSystem System { get; } = system;

            public void Tell(object message, IActorRef? sender) => network.Deliver(System, Path, message, sender);

            public override bool Equals(object? obj) => obj is LoopbackRef other && other.Path.Equals(Path);

            public override int GetHashCode() => Path.GetHashCode();
        }
    }
}
