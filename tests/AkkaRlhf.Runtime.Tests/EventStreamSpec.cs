using AkkaRlhf.Runtime;
using AkkaRlhf.Runtime.Event;
using Xunit.Abstractions;

namespace AkkaRlhf.Runtime.Tests;

public sealed class EventStreamSpec(ITestOutputHelper output) : TestKit.TestKit(output)
{
    private record Animal(string Name);

    private sealed record Dog(string Name) : Animal(Name);

    [Fact]
    public void Subscription_by_base_type_must_match_subtypes()
    {
        Sys.EventStream.Subscribe(TestActor, typeof(Animal));
        Sys.EventStream.Publish(new Dog("rex"));
        Sys.EventStream.Publish("not an animal");
        Assert.Equal(new Dog("rex"), ExpectMsg<Dog>());
        ExpectNoMsg();
    }

    [Fact]
    public void Unsubscribe_must_stop_delivery()
    {
        var probe = CreateTestProbe();
        Assert.True(Sys.EventStream.Subscribe(probe.Ref, typeof(string)));
        Assert.False(Sys.EventStream.Subscribe(probe.Ref, typeof(string)));
        Sys.EventStream.Publish("one");
        probe.ExpectMsg("one");
        Assert.True(Sys.EventStream.Unsubscribe(probe.Ref, typeof(string)));
        Sys.EventStream.Publish("two");
        probe.ExpectNoMsg();
    }

    [Fact]
    public void Log_events_must_be_published_at_or_above_the_level()
    {
        Sys.EventStream.Subscribe(TestActor, typeof(LogEvent));
        Sys.Log.Debug("hidden");
        Sys.Log.Warning("shown");
        var warning = ExpectMsg<Warning>();
        Assert.Equal("shown", warning.Message);
        ExpectNoMsg();
    }

    [Fact]
    public void Stopped_subscriber_must_be_unsubscribed()
    {
        var actor = Sys.ActorOf(Props.Create<EchoActor>());
        Sys.EventStream.Subscribe(actor, typeof(string));
        Watch(actor);
        Sys.Stop(actor);
        ExpectTerminated(actor);
        Assert.False(Sys.EventStream.Unsubscribe(actor));
    }
}
