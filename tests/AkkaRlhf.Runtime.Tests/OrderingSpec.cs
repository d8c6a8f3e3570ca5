using AkkaRlhf.Runtime;
using FsCheck;
using FsCheck.Fluent;
using Xunit.Abstractions;

namespace AkkaRlhf.Runtime.Tests;

public sealed class OrderingSpec(ITestOutputHelper output) : TestKit.TestKit(output)
{
    private sealed record Go(IReadOnlyList<IActorRef> Receivers, int Count);

    private sealed record Numbered(int Sender, int Seq);

    [Fact]
    public void Per_sender_receiver_ordering_must_hold_under_concurrent_senders()
    {
        var cases =
            from senders in Gen.Choose(1, 6)
            from receivers in Gen.Choose(1, 3)
            from count in Gen.Choose(1, 300)
            select (senders, receivers, count);
        var property = Prop.ForAll(cases.ToArbitrary(), c => EachReceiverSeesEachSendersOrder(c.senders, c.receivers, c.count));
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(40), property);
    }

    private bool EachReceiverSeesEachSendersOrder(int senderCount, int receiverCount, int count)
    {
        var expectedTotal = senderCount * count;
        var receivers = Enumerable.Range(0, receiverCount)
            .Select(_ => Sys.ActorOf(Props.Create(() => new Recorder(TestActor, expectedTotal))))
            .ToList();
        var senders = Enumerable.Range(0, senderCount).Select(i => Sys.ActorOf(Props.Create(() => new Sender(i)))).ToList();
        foreach (var sender in senders) sender.Tell(new Go(receivers, count));
        var ok = true;
        for (var r = 0; r < receiverCount; r++)
        {
            var seen = ExpectMsg<List<Numbered>>(TimeSpan.FromSeconds(10));
            ok &= seen.Count == expectedTotal;
            foreach (var group in seen.GroupBy(n => n.Sender))
                ok &= group.Select(n => n.Seq).SequenceEqual(Enumerable.Range(0, count));
        }
        foreach (var actor in receivers.Concat(senders)) Sys.Stop(actor);
        return ok;
    }

    private sealed class Sender : ReceiveActor
    {
        public Sender(int id) => Receive<Go>(go =>
        {
            for (var i = 0; i < go.Count; i++)
                foreach (var receiver in go.Receivers) receiver.Tell(new Numbered(id, i));
        });
    }

    private sealed class Recorder : ReceiveActor
    {
        private readonly List<Numbered> _seen = [];

        public Recorder(IActorRef report, int expected) => Receive<Numbered>(n =>
        {
            _seen.Add(n);
            if (_seen.Count == expected) report.Tell(_seen);
        });
    }
}
