using AkkaRlhf.Runtime;
using Xunit.Abstractions;

namespace AkkaRlhf.Runtime.Tests;

public sealed class AskSpec(ITestOutputHelper output) : TestKit.TestKit(output, ActorSystemSettings.Default.WithAskTimeout(TimeSpan.FromMilliseconds(300)))
{
    [Fact]
    public async Task Ask_must_return_the_reply()
    {
        var echo = Sys.ActorOf(Props.Create<EchoActor>());
        Assert.Equal("hi", await echo.Ask<string>("hi", DefaultTimeout));
    }

    [Fact]
    public async Task Ask_must_time_out_with_AskTimeoutException()
    {
        var silent = Sys.ActorOf(Props.Create(() => new ForwardActor(Sys.DeadLetters)));
        var e = await Assert.ThrowsAsync<AskTimeoutException>(() => silent.Ask<string>("anyone?", TimeSpan.FromMilliseconds(100)));
        Assert.Contains(silent.Path.ToString(), e.Message);
    }

    [Fact]
    public async Task Ask_must_use_the_finite_default_timeout_from_the_settings()
    {
        var silent = Sys.ActorOf(Props.Create(() => new ForwardActor(Sys.DeadLetters)));
        var e = await Assert.ThrowsAsync<AskTimeoutException>(() => silent.Ask<string>("anyone?"));
        Assert.Contains("300 ms", e.Message);
    }

    [Fact]
    public async Task Ask_must_honor_cancellation()
    {
        var silent = Sys.ActorOf(Props.Create(() => new ForwardActor(Sys.DeadLetters)));
        using var cts = new CancellationTokenSource();
        var ask = silent.Ask<string>("anyone?", TimeSpan.FromMinutes(1), cts.Token);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ask);
    }

    [Fact]
    public async Task Ask_must_throw_the_cause_of_a_Status_Failure_reply()
    {
        var failing = Sys.ActorOf(Props.Create<FailureReplier>());
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => failing.Ask<string>("x"));
        Assert.Equal("nope", e.Message);
    }

    [Fact]
    public async Task PipeTo_must_deliver_a_task_result_to_an_actor()
    {
        await Task.FromResult(42).PipeTo(TestActor);
        await ExpectMsgAsync(42);
        await Task.FromException<int>(new InvalidOperationException("bad")).PipeTo(TestActor);
        var failure = await ExpectMsgAsync<Status.Failure>();
        Assert.Equal("bad", failure.Cause.Message);
        await Task.FromResult(1).PipeTo(TestActor, success: i => $"got {i}");
        await ExpectMsgAsync("got 1");
    }

    [Fact]
    public void PipeTo_inside_an_actor_must_deliver_to_Self_with_the_given_sender()
    {
        var actor = Sys.ActorOf(Props.Create<PipingActor>());
        actor.Tell("compute");
        ExpectMsg("result 21");
    }

    private sealed class FailureReplier : ReceiveActor
    {
        public FailureReplier() => ReceiveAny(_ => Sender.Tell(new Status.Failure(new InvalidOperationException("nope"))));
    }

    private sealed class PipingActor : ReceiveActor
    {
        public PipingActor()
        {
            Receive<string>(_ => Task.Run(() => 21).PipeTo(Self, Sender));
            Receive<int>(i => Sender.Tell($"result {i}"));
        }
    }
}
