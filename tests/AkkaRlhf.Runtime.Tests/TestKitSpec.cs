using AkkaRlhf.Runtime;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace AkkaRlhf.Runtime.Tests;

public sealed class TestKitSpec(ITestOutputHelper output) : TestKit.TestKit(output)
{
    [Fact]
    public void Tell_from_a_test_must_have_TestActor_as_sender()
    {
        var echo = Sys.ActorOf(Props.Create<EchoActor>());
        echo.Tell("who am I");
        ExpectMsg("who am I");
        Assert.Equal(echo, LastSender);
    }

    [Fact]
    public async Task Tell_from_an_async_test_must_have_TestActor_as_sender()
    {
        var echo = Sys.ActorOf(Props.Create<EchoActor>());
        await Task.Yield();
        echo.Tell("after await");
        await ExpectMsgAsync("after await");
    }

    [Fact]
    public void ExpectMsg_must_fail_on_a_wrong_message_and_on_timeout()
    {
        TestActor.Tell("wrong");
        Assert.Throws<XunitException>(() => ExpectMsg<int>());
        var e = Assert.Throws<XunitException>(() => ExpectMsg<int>(TimeSpan.FromMilliseconds(50)));
        Assert.Contains("Timeout", e.Message);
    }

    [Fact]
    public void ExpectMsg_overloads_must_check_predicate_and_assertion()
    {
        TestActor.Tell(5);
        ExpectMsg<int>(i => i > 3);
        TestActor.Tell(6);
        ExpectMsg<int>(i => Assert.Equal(6, i));
        TestActor.Tell(7);
        Assert.Throws<XunitException>(() => ExpectMsg<int>(i => i > 10));
    }

    [Fact]
    public void ExpectNoMsg_must_fail_when_a_message_arrives()
    {
        TestActor.Tell("surprise");
        Assert.Throws<XunitException>(() => ExpectNoMsg());
    }

    [Fact]
    public void ReceiveN_and_FishForMessage_must_collect_messages()
    {
        for (var i = 0; i < 5; i++) TestActor.Tell(i);
        Assert.Equal([0, 1, 2], ReceiveN(3).Cast<int>());
        Assert.Equal(4, FishForMessage(m => m is 4));
    }

    [Fact]
    public void IgnoreMessages_must_drop_matching_messages()
    {
        IgnoreMessages<string>(s => s.StartsWith("noise", StringComparison.Ordinal));
        TestActor.Tell("noise 1");
        TestActor.Tell("signal");
        ExpectMsg("signal");
        IgnoreNoMessages();
        TestActor.Tell("noise 2");
        ExpectMsg("noise 2");
    }

    [Fact]
    public void Within_must_check_the_duration_of_a_block()
    {
        Within(TimeSpan.FromSeconds(5), () =>
        {
            TestActor.Tell("fast");
            ExpectMsg("fast");
        });
        Assert.Throws<XunitException>(() => Within(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), () => { }));
    }

    [Fact]
    public void AwaitAssert_and_AwaitCondition_must_retry_until_true()
    {
        var counter = Sys.ActorOf(Props.Create<EchoActor>());
        var seen = 0;
        var probe = CreateTestProbe();
        counter.Tell("x", probe.Ref);
        AwaitCondition(() => probe.ReceiveOne(TimeSpan.Zero) is not null || seen++ < 0);
        AwaitAssert(() => Assert.True(seen >= 0));
        Assert.Throws<XunitException>(() => AwaitCondition(() => false, TimeSpan.FromMilliseconds(50)));
    }

    [Fact]
    public void TestProbe_must_have_its_own_queue_and_reply_to_the_last_sender()
    {
        var probe = CreateTestProbe();
        var echo = Sys.ActorOf(Props.Create<EchoActor>());
        probe.Send(echo, "via probe");
        probe.ExpectMsg("via probe");
        ExpectNoMsg();
        probe.Reply("back");
        probe.ExpectMsg("back");
    }

    [Fact]
    public void Timeouts_must_be_dilated()
    {
        Assert.Equal(TimeSpan.FromSeconds(3 * TimeFactor), DefaultTimeout);
    }
}
