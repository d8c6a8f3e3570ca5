using AkkaRlhf.Cluster.TestNode;
using AkkaRlhf.Cluster.Tests.Support;
using AkkaRlhf.Runtime;
using Xunit.Abstractions;
using static AkkaRlhf.Cluster.ClusterEvent;

namespace AkkaRlhf.Cluster.Tests;

/// <summary>In-process nodes on a real broker: membership, remote tells and asks, role broadcasts.</summary>
public sealed class MembershipSpecs(ITestOutputHelper output) : ClusterSpec(output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [RabbitMqFact]
    public async Task Nodes_see_each_other_up_with_their_roles_and_a_leaving_node_is_removed_at_once()
    {
        // a failure detector far slower than the 2 s this spec allows for the removal: only the leave can explain it, and a
        // hiccup of the machine or the broker (heartbeats late by the specs' usual 1.5 s) is not taken for a failure
        ClusterSettings Patient(ClusterSettings s) => s with { UnreachableAfter = TimeSpan.FromSeconds(10), RemovedAfter = TimeSpan.FromSeconds(20) };
        var a = await JoinAsync(Patient(Settings("node-a", "learner")));
        var events = Recorder.Create(a.System);
        a.Subscribe(events.Actor);                      // before b joins: b's MemberUp must be an event, not part of the initial state
        var b = await JoinAsync(Patient(Settings("node-b", "rollout", "reward")));

        await Eventually.Holds(() => a.Members.Count == 2 && events.Of<MemberUp>().Any(e => e.Member.Address.Equals(b.SelfAddress)), Timeout, () => string.Join("; ", events.Messages));
        Assert.IsType<CurrentClusterState>(events.Messages.First());
        var up = events.Of<MemberUp>().Single(e => e.Member.Address.Equals(b.SelfAddress)).Member;
        Assert.True(up.HasRole("rollout") && up.HasRole("reward"));
        Assert.Equal(2, a.Members.Count);

        await b.LeaveAsync();
        await Eventually.Holds(() => events.Of<MemberRemoved>().Any(e => e.Member.Address.Equals(b.SelfAddress)), TimeSpan.FromSeconds(2), () => string.Join("; ", events.Messages));
        Assert.Empty(events.Of<UnreachableMember>());
    }

    [RabbitMqFact]
    public async Task An_ask_to_an_actor_on_another_node_is_answered_through_the_node_queues()
    {
        var a = await JoinAsync(Settings("node-a"));
        var b = await JoinAsync(Settings("node-b"));
        var worker = b.System.ActorOf(Props.CreateBy(() => new Worker("node-b", _ => { })), "worker");

        IActorRef remote = Assert.IsType<RemoteActorRef>(a.ResolveActorRef(b.PathOf(worker)));
        var reply = await remote.Ask<WorkDone>(new Work(7, 0), TimeSpan.FromSeconds(10)); // the runtime's Ask extension
        Assert.Equal(new WorkDone(7, "node-b"), reply);
    }

    [RabbitMqFact]
    public async Task A_ref_inside_a_message_body_sent_to_another_node_can_be_told_there_and_reaches_the_actor_on_the_first_node()
    {
        var a = await JoinAsync(Settings("node-a"));
        var b = await JoinAsync(Settings("node-b"));
        a.System.Serialization.Register<Introduce>("test.introduce");
        b.System.Serialization.Register<Introduce>("test.introduce");
        var inbox = Recorder.Create(a.System, "inbox");
        var greeter = b.System.ActorOf(Props.CreateBy(() => new Greeter()), "greeter");

        // No sender: the only way back to node A is the reference in the body.
        a.ResolveActorRef(b.PathOf(greeter)).Tell(new Introduce(inbox.Actor, "hello"), ActorRefs.NoSender);
        await Eventually.Holds(() => inbox.Of<string>().Contains("hello back"), Timeout, () => string.Join("; ", inbox.Messages));
        Assert.Equal(a.PathOf(inbox.Actor), Greeter.LastTarget?.Path);
        Assert.IsType<RemoteActorRef>(Greeter.LastTarget);
    }

    [RabbitMqFact]
    public async Task The_runtimes_Ask_on_a_role_router_is_answered_by_a_node_serving_the_role()
    {
        var a = await JoinAsync(Settings("node-a"));
        var b = await JoinAsync(Settings("node-b"));
        var worker = b.System.ActorOf(Props.CreateBy(() => new Worker("node-b", _ => { })), "worker");
        await b.ServeRoleAsync("worker", worker);

        IActorRef router = a.RoleRouter("worker");
        Assert.Equal(new WorkDone(3, "node-b"), await router.Ask<WorkDone>(new Work(3, 0), TimeSpan.FromSeconds(10)));
    }

    [RabbitMqFact]
    public async Task An_ask_to_an_actor_that_does_not_answer_on_another_node_times_out_with_AskTimeoutException()
    {
        var a = await JoinAsync(Settings("node-a"));
        var b = await JoinAsync(Settings("node-b"));
        var silent = Recorder.Create(b.System, "silent");
        IActorRef remote = a.ResolveActorRef(b.PathOf(silent.Actor));
        await Assert.ThrowsAsync<AskTimeoutException>(() => remote.Ask<WorkDone>(new Work(1, 0), TimeSpan.FromMilliseconds(500)));
    }

    /// <summary>Tells the reference in the body (not the Sender).</summary>
    private sealed class Greeter : ReceiveActor
    {
        public static volatile IActorRef? LastTarget;

        public Greeter() => Receive<Introduce>(m =>
        {
            LastTarget = m.Target;
            m.Target.Tell(m.Text + " back", ActorRefs.NoSender);
        });
    }

    private sealed record Introduce(IActorRef Target, string Text);

    [RabbitMqFact]
    public async Task A_role_broadcast_reaches_every_node_of_the_role_and_no_other()
    {
        var sender = await JoinAsync(Settings("learner"));
        var nodes = new[] { await JoinAsync(Settings("rollout-1")), await JoinAsync(Settings("rollout-2")), await JoinAsync(Settings("critic")) };
        var recorders = nodes.Select(n => Recorder.Create(n.System, "handler")).ToArray();
        await nodes[0].ServeRoleAsync("rollout", recorders[0].Actor);
        await nodes[1].ServeRoleAsync("rollout", recorders[1].Actor);
        await nodes[2].ServeRoleAsync("critic", recorders[2].Actor);

        await sender.RoleBroadcast("rollout").Send(new Work(1, 0));
        await Eventually.Holds(() => recorders[0].Of<Work>().Any() && recorders[1].Of<Work>().Any(), Timeout, () => "broadcast not received");
        await Task.Delay(300);
        Assert.Empty(recorders[2].Messages);
        Assert.Single(recorders[0].Messages);
    }

    [RabbitMqFact]
    public async Task A_message_type_that_is_not_allow_listed_fails_at_the_tell_with_a_clear_error()
    {
        var a = await JoinAsync(Settings("node-a"));
        var e = Assert.ThrowsAny<Exception>(() => a.RoleRouter("worker").Tell(new NotRegistered(1), ActorRefs.NoSender));
        Assert.Contains("not allow-listed", e.Message);
    }

    private sealed record NotRegistered(int X);
}
