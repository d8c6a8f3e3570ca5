using AkkaRlhf.Runtime;
using Xunit.Abstractions;

namespace AkkaRlhf.Runtime.Tests;

public sealed class StashSpec(ITestOutputHelper output) : TestKit.TestKit(output)
{
    [Fact]
    public void UnstashAll_must_replay_stashed_messages_in_order_before_newer_ones()
    {
        var actor = Sys.ActorOf(Props.Create(() => new OpenLater(TestActor)));
        for (var i = 0; i < 5; i++) actor.Tell(i);
        actor.Tell("open");
        actor.Tell(99);
        foreach (var expected in new[] { 0, 1, 2, 3, 4, 99 }) ExpectMsg(expected);
    }

    [Fact]
    public void Stash_must_survive_a_restart_by_returning_to_the_mailbox()
    {
        var actor = Sys.ActorOf(Props.Create(() => new OpenLater(TestActor)));
        actor.Tell(1);
        actor.Tell(2);
        actor.Tell("crash");
        ExpectMsg("restarted");
        actor.Tell("open");
        ExpectMsg(1);
        ExpectMsg(2);
    }

    [Fact]
    public void Unstash_must_return_only_the_oldest_message()
    {
        var actor = Sys.ActorOf(Props.Create(() => new OpenLater(TestActor)));
        actor.Tell(1);
        actor.Tell(2);
        actor.Tell("one");
        ExpectMsg(1);
        ExpectNoMsg();
    }

    [Fact]
    public void Stash_must_accept_two_deliveries_of_the_same_message_object_from_the_same_sender()
    {
        var actor = Sys.ActorOf(Props.Create(() => new StashObjects(TestActor)));
        var same = new object();
        actor.Tell(same);
        actor.Tell(same);
        actor.Tell("open");
        Assert.Same(same, ExpectMsg<object>());
        Assert.Same(same, ExpectMsg<object>());
    }

    [Fact]
    public void Stash_must_accept_an_interned_string_delivered_twice()
    {
        var actor = Sys.ActorOf(Props.Create(() => new StashObjects(TestActor)));
        actor.Tell("tick"); // a literal: the same interned object both times
        actor.Tell("tick");
        actor.Tell("open");
        ExpectMsg("tick");
        ExpectMsg("tick");
    }

    [Fact]
    public void Stash_must_reject_stashing_the_current_envelope_twice_within_one_receive()
    {
        var actor = Sys.ActorOf(Props.Create(() => new StashObjects(TestActor)));
        actor.Tell("twice");
        var e = ExpectMsg<InvalidOperationException>();
        Assert.Contains("twice", e.Message);
        actor.Tell("open");
        ExpectMsg("twice"); // the first stash of it stands
    }

    [Fact]
    public void Stash_must_accept_a_message_again_after_it_was_unstashed()
    {
        var actor = Sys.ActorOf(Props.Create(() => new StashObjects(TestActor)));
        actor.Tell("again");
        actor.Tell("bounce"); // unstash all: "again" is delivered and stashed once more
        actor.Tell("open");
        ExpectMsg("again");
        ExpectNoMsg();
    }

    /// <summary>Stashes everything but commands until "open"; "twice" is stashed twice in one receive.</summary>
    private sealed class StashObjects : ReceiveActor, IWithStash
    {
        public StashObjects(IActorRef probe)
        {
            Receive<string>(s => s == "open", _ =>
            {
                Become(() => ReceiveAny(m => probe.Tell(m)));
                Stash.UnstashAll();
            });
            Receive<string>(s => s == "bounce", _ => Stash.UnstashAll());
            Receive<string>(s => s == "twice", _ =>
            {
                Stash.Stash();
                try { Stash.Stash(); }
                catch (InvalidOperationException e) { probe.Tell(e); }
            });
            ReceiveAny(_ => Stash.Stash());
        }

        public IStash Stash { get; set; } = null!;
    }

    /// <summary>Stashes ints until "open"; after a restart it starts closed again.</summary>
    private sealed class OpenLater : ReceiveActor, IWithStash
    {
        private readonly IActorRef _probe;

        public OpenLater(IActorRef probe)
        {
            _probe = probe;
            Receive<int>(_ => Stash.Stash());
            Receive<string>(s => s == "open", _ =>
            {
                Become(() => Receive<int>(i => _probe.Tell(i)));
                Stash.UnstashAll();
            });
            Receive<string>(s => s == "one", _ =>
            {
                BecomeStacked(() => Receive<int>(i => { _probe.Tell(i); UnbecomeStacked(); }));
                Stash.Unstash();
            });
            Receive<string>(s => s == "crash", _ => throw new InvalidOperationException("crash"));
        }

        public IStash Stash { get; set; } = null!;

        protected override void PostRestart(Exception reason) => _probe.Tell("restarted");
    }
}
