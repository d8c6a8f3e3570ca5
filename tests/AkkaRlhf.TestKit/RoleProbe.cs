using Akka.Actor;
using Akka.TestKit;
using AkkaRlhf.Actors.Messages;

namespace AkkaRlhf.TestKit;

/// <summary>
/// A <see cref="TestProbe"/> standing in for any RLHF role (a generator, a scorer, a critic, a learner): pass its
/// <see cref="Ref"/> where the role's reference goes, expect the requests the code under test sends it, and reply
/// as the role would (or fail, to test retries).
/// </summary>
public sealed class RoleProbe(TestProbe probe)
{
    /// <summary>The underlying probe (all of Akka.TestKit's expectations).</summary>
    public TestProbe Probe { get; } = probe;

    /// <summary>The reference to hand to the code under test.</summary>
    public IActorRef Ref => Probe.Ref;

    /// <summary>Expects a <typeparamref name="T"/> request with <paramref name="batchId"/> (any when null) and returns it.</summary>
    public T ExpectBatch<T>(long? batchId = null, TimeSpan? timeout = null) where T : IBatchMessage =>
        Check(Probe.ExpectMsg<T>(timeout), batchId);

    /// <summary>Answers the last request's sender as the role would.</summary>
    public void Reply(object message) => Probe.LastSender.Tell(message, Probe.Ref);

    /// <summary>Answers the last request with a failure (the asker sees <paramref name="cause"/>).</summary>
    public void Fail(Exception cause) => Reply(new Status.Failure(cause));

    /// <summary>Asserts that no request arrives within <paramref name="duration"/>.</summary>
    public void ExpectNoBatch(TimeSpan? duration = null) => Probe.ExpectNoMsg(duration ?? TimeSpan.FromMilliseconds(200));

    internal static T Check<T>(T message, long? batchId) where T : IBatchMessage
    {
        if (batchId is { } id && message.BatchId != id)
            throw new Xunit.Sdk.XunitException($"expected {typeof(T).Name} of batch {id}, got batch {message.BatchId}");
        return message;
    }
}
