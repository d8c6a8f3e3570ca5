using AkkaRlhf.Runtime;
using Xunit.Abstractions;

namespace AkkaRlhf.Runtime.Tests;

/// <summary>As in Akka, the children of a failed actor take no user messages until it is resumed or restarted.</summary>
public sealed class SuspensionSpec(ITestOutputHelper output) : TestKit.TestKit(output)
{
    [Fact]
    public void Children_must_be_suspended_while_their_parent_is_failed_and_go_on_when_it_is_resumed()
    {
        var decide = new ManualResetEventSlim();
        try
        {
            var grandchild = SetUp(decide, Directive.Resume, out var parent, out var child);

            parent.Tell("fail");
            ExpectMsg("deciding"); // the parent is failed; its supervisor has not decided yet
            child.Tell("ping");
            grandchild.Tell("ping");
            ExpectNoMsg();          // suspended: neither the child nor the grandchild answers
            decide.Set();
            var pongs = ReceiveN(2);
            Assert.Contains("pong child", pongs);
            Assert.Contains("pong grandchild", pongs);
            parent.Tell("ping");
            ExpectMsg("pong parent");
        }
        finally { decide.Set(); } // never leave the supervisor blocked (the system must terminate)
    }

    [Fact]
    public void Children_kept_over_a_restart_of_their_parent_must_go_on_after_it()
    {
        var decide = new ManualResetEventSlim();
        try
        {
            var grandchild = SetUp(decide, Directive.Restart, out var parent, out var child);

            parent.Tell("fail");
            ExpectMsg("deciding");
            child.Tell("ping");
            ExpectNoMsg();
            decide.Set();
            ExpectMsg("pong child"); // resumed after the parent's restart (its PreRestart keeps the children)
            grandchild.Tell("ping");
            ExpectMsg("pong grandchild");
        }
        finally { decide.Set(); }
    }

    private IActorRef SetUp(ManualResetEventSlim decide, Directive directive, out IActorRef parent, out IActorRef child)
    {
        var probe = TestActor;
        var strategy = new OneForOneStrategy(_ =>
        {
            probe.Tell("deciding");
            decide.Wait(TimeSpan.FromSeconds(30)); // holds the supervisor's turn: the parent stays failed meanwhile
            return directive;
        });
        var supervisor = Sys.ActorOf(Props.Create(() => new Supervisor(strategy)));
        supervisor.Tell((Props.Create(() => new Node("parent", probe, 2)), "parent"));
        parent = ExpectMsg<IActorRef>();
        parent.Tell("children");
        child = ExpectMsg<IActorRef>();
        var grandchild = ExpectMsg<IActorRef>();
        return grandchild;
    }

    /// <summary>Answers pings; "fail" throws; creates a chain of <c>depth - 1</c> descendants; keeps its children over a restart.</summary>
    private sealed class Node : ReceiveActor
    {
        private readonly IActorRef? _child;

        public Node(string name, IActorRef probe, int depth)
        {
            if (depth > 0)
                _child = Context.Child("c") ?? Context.ActorOf(Props.Create(() => new Node(depth == 2 ? "child" : "grandchild", probe, depth - 1)), "c");
            Receive<string>(s => s == "ping", _ => probe.Tell("pong " + name));
            Receive<string>(s => s == "fail", _ => throw new InvalidOperationException("failing on purpose"));
            Receive<string>(s => s == "children", _ =>
            {
                if (_child is null) return;
                probe.Tell(_child);
                _child.Tell("children");
            });
        }

        protected override void PreRestart(Exception reason, object? message) { } // keeps the children

        protected override void PostRestart(Exception reason) { }
    }
}
