using AkkaRlhf.Actors;
using AkkaRlhf.Actors.Roles;
using AkkaRlhf.Models;
using TorchSharp;
using Xunit.Abstractions;

namespace AkkaRlhf.Actors.Tests;

/// <summary>
/// The model dispatcher's thread side (<c>thread-per-actor = on</c>, and <c>auto</c>'s large models): one thread of its own per actor, the same
/// one for every message, messages in order, the thread gone once its actor stops; a role's thread keeps its torch-threads.
/// </summary>
public sealed class PinnedModelDispatcherSpecs(ITestOutputHelper output)
    : RlhfTestKit(output, "akka.rlhf.model-dispatcher.shutdown-timeout = 100ms")
{
    /// <summary>Replies with the message and the thread it runs on.</summary>
    private sealed class WhereAmI : ReceiveActor
    {
        public WhereAmI() => ReceiveAny(m => Sender.Tell((m, Thread.CurrentThread)));
    }

    private (object Message, Thread Thread) Ask(IActorRef actor, object message)
    {
        actor.Tell(message, TestActor);
        return ExpectMsg<(object, Thread)>();
    }

    [Fact]
    public void Each_model_actor_runs_on_its_own_thread_the_same_one_for_every_message()
    {
        var a = Sys.ActorOf(Props.Create(() => new WhereAmI()).WithDispatcher(RlhfActors.ModelDispatcher));
        var b = Sys.ActorOf(Props.Create(() => new WhereAmI()).WithDispatcher(RlhfActors.ModelDispatcher));

        var firstOfA = Ask(a, 1);
        var firstOfB = Ask(b, 1);
        Assert.NotEqual(firstOfA.Thread, firstOfB.Thread);
        Assert.StartsWith(RlhfActors.ModelDispatcher, firstOfA.Thread.Name);
        Thread.Sleep(50);                                                             // a's thread goes idle and waits
        for (var i = 2; i <= 5; i++)
        {
            Assert.Equal(firstOfA.Thread, Ask(a, i).Thread);
            Assert.Equal(firstOfB.Thread, Ask(b, i).Thread);
        }
    }

    [Fact]
    public void A_model_actor_gets_its_messages_in_order()
    {
        var a = Sys.ActorOf(Props.Create(() => new WhereAmI()).WithDispatcher(RlhfActors.ModelDispatcher));
        for (var i = 0; i < 1000; i++) a.Tell(i, TestActor);
        for (var i = 0; i < 1000; i++) Assert.Equal(i, ExpectMsg<(object Message, Thread)>().Message);
    }

    [Fact]
    public void The_thread_ends_after_its_actor_stops()
    {
        var a = Sys.ActorOf(Props.Create(() => new WhereAmI()).WithDispatcher(RlhfActors.ModelDispatcher));
        var thread = Ask(a, 1).Thread;
        Assert.True(thread.IsAlive);
        Watch(a);
        Sys.Stop(a);
        ExpectTerminated(a);
        AwaitCondition(() => !thread.IsAlive, TimeSpan.FromSeconds(10));            // after shutdown-timeout (100 ms here)
    }

    /// <summary>A role that replies how many intra-op threads it computes with, and on which thread.</summary>
    private sealed class ThreadCount : RoleActor
    {
        public ThreadCount(int torchThreads) : base(torch.CPU, torchThreads) =>
            ReceiveAny(_ => Sender.Tell((torch.get_num_threads(), Thread.CurrentThread)));
    }

    [Fact]
    public void A_roles_thread_computes_with_its_torch_threads_for_every_message_and_another_roles_with_the_process_default()
    {
        var process = TorchThreads.ProcessDefault;
        var own = Sys.ActorOf(Props.Create(() => new ThreadCount(process + 1)).WithDispatcher(RlhfActors.ModelDispatcher));
        var inherits = Sys.ActorOf(Props.Create(() => new ThreadCount(0)).WithDispatcher(RlhfActors.ModelDispatcher));
        for (var i = 0; i < 3; i++)
        {
            own.Tell("count?", TestActor);
            var (count, thread) = ExpectMsg<(int, Thread)>();
            Assert.Equal(process + 1, count);
            Assert.StartsWith(RlhfActors.ModelDispatcher, thread.Name);
            inherits.Tell("count?", TestActor);
            Assert.Equal(process, ExpectMsg<(int, Thread)>().Item1);
        }
    }
}
