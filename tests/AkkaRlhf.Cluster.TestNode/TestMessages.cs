using AkkaRlhf.Runtime;

namespace AkkaRlhf.Cluster.TestNode;

/// <summary>A numbered work batch for the generic <c>worker</c> role.</summary>
public sealed record Work(long BatchId, int DelayMs);

/// <summary>The reply to <see cref="Work"/>: which node did it.</summary>
public sealed record WorkDone(long BatchId, string Node);

/// <summary>The allow-list of the test messages.</summary>
public static class TestMessages
{
    /// <summary>Registers the test messages on <paramref name="system"/>.</summary>
    public static ActorSystem Register(ActorSystem system)
    {
        system.Serialization.Register<Work>("test.work").Register<WorkDone>("test.work-done");
        return system;
    }
}

/// <summary>Serves <see cref="Work"/>: prints <c>begin ID</c>, waits, replies <see cref="WorkDone"/>, prints <c>done ID</c>.</summary>
public sealed class Worker : ReceiveActor
{
    /// <summary>Creates the worker of node <paramref name="node"/>.</summary>
    public Worker(string node, Action<string> print)
    {
        ReceiveAsync<Work>(async work =>
        {
            print($"begin {work.BatchId}");
            var requester = Sender;
            await Task.Delay(work.DelayMs);
            requester.Tell(new WorkDone(work.BatchId, node), Self);
            print($"done {work.BatchId}");
        });
    }
}
