using AkkaRlhf.Cluster.TestNode;
using AkkaRlhf.Cluster.Tests.Support;
using Xunit.Abstractions;
using static AkkaRlhf.Cluster.ClusterEvent;

namespace AkkaRlhf.Cluster.Tests;

/// <summary>
/// The generic <c>worker</c> role served by separate processes: a coordinator in the test process
/// sends numbered batches to the role queue and accounts for the replies.
/// </summary>
public sealed class WorkQueueSpecs(ITestOutputHelper output) : ClusterSpec(output)
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(90);

    [RabbitMqFact]
    public async Task A_worker_killed_mid_batch_has_its_batch_redelivered_and_every_batch_is_completed_exactly_once()
    {
        var coordinator = await JoinAsync(Settings("coordinator", "coordinator"));
        var replies = Recorder.Create(coordinator.System, "replies");
        var events = Recorder.Create(coordinator.System, "events");
        coordinator.Subscribe(events.Actor);
        var victim = await StartProcessAsync("worker-a");
        var survivor = await StartProcessAsync("worker-b");
        await Eventually.Holds(() => coordinator.Members.Count == 3, TimeSpan.FromSeconds(20), () => Describe(events));

        const int batches = 30;
        var router = coordinator.RoleRouter("worker");
        for (var id = 1; id <= batches; id++) router.Tell(new Work(id, DelayMs: 400), replies.Actor);

        await Eventually.Holds(() => victim.Lines.Count(l => l.StartsWith("begin ", StringComparison.Ordinal)) >= 4, RunTimeout, () => "the victim began no 4 batches");
        victim.Kill();
        var begun = Ids(victim, "begin ");
        var inFlight = begun.Except(Ids(victim, "done ")).ToList();
        Output.WriteLine($"killed worker-a with batches [{string.Join(",", inFlight)}] in flight");
        Assert.NotEmpty(inFlight);

        await Eventually.Holds(() => replies.Of<WorkDone>().Select(d => d.BatchId).Distinct().Count() == batches, RunTimeout,
            () => $"{replies.Of<WorkDone>().Count()} replies");
        await Task.Delay(500); // a late duplicate would arrive now
        var done = replies.Of<WorkDone>().ToList();
        Assert.Equal(Enumerable.Range(1, batches).Select(i => (long)i), done.Select(d => d.BatchId).Order());
        foreach (var id in inFlight) Assert.Equal("worker-b", Assert.Single(done, d => d.BatchId == id).Node);
        Assert.Contains(survivor.Lines, l => l == $"begin {inFlight[0]}");

        await Eventually.Holds(() => events.Of<MemberRemoved>().Any(e => e.Member.Address.Host == "worker-a"), TimeSpan.FromSeconds(20), () => Describe(events));
        Assert.DoesNotContain(events.Of<MemberRemoved>(), e => e.Member.Address.Host == "worker-b");
    }

    [RabbitMqFact]
    public async Task A_worker_that_joins_mid_run_starts_taking_batches()
    {
        var coordinator = await JoinAsync(Settings("coordinator", "coordinator"));
        var replies = Recorder.Create(coordinator.System, "replies");
        var events = Recorder.Create(coordinator.System, "events");
        coordinator.Subscribe(events.Actor);
        await StartProcessAsync("worker-a");

        const int batches = 24;
        var router = coordinator.RoleRouter("worker");
        for (var id = 1; id <= batches; id++) router.Tell(new Work(id, DelayMs: 300), replies.Actor);
        await Eventually.Holds(() => replies.Of<WorkDone>().Count() >= 3, RunTimeout, () => "no first replies");
        var late = await StartProcessAsync("worker-late");

        await Eventually.Holds(() => replies.Of<WorkDone>().Count() >= batches, RunTimeout, () => $"{replies.Of<WorkDone>().Count()} replies");
        var done = replies.Of<WorkDone>().ToList();
        Assert.Equal(Enumerable.Range(1, batches).Select(i => (long)i), done.Select(d => d.BatchId).Order());
        Assert.Contains(done, d => d.Node == "worker-late");
        Assert.Contains(events.Of<MemberUp>(), e => e.Member.Address.Host == "worker-late" && e.Member.HasRole("worker"));
        Output.WriteLine($"worker-late did {done.Count(d => d.Node == "worker-late")} of {batches} batches");
        await late.StopAsync();
    }

    [RabbitMqFact]
    public async Task A_broker_restart_mid_run_is_survived_and_every_batch_is_completed_exactly_once()
    {
        var coordinator = await JoinAsync(Settings("coordinator", "coordinator"));
        var replies = Recorder.Create(coordinator.System, "replies");
        var events = Recorder.Create(coordinator.System, "events");
        coordinator.System.EventStream.Subscribe(events.Actor, typeof(IClusterDomainEvent));
        await StartProcessAsync("worker-a");
        await StartProcessAsync("worker-b");

        const int batches = 24;
        var router = coordinator.RoleRouter("worker");
        for (var id = 1; id <= batches; id++) router.Tell(new Work(id, DelayMs: 250), replies.Actor);
        await Eventually.Holds(() => replies.Of<WorkDone>().Count() >= 4, RunTimeout, () => "no first replies");
        await Broker.RestartAsync();
        Output.WriteLine($"broker restarted after {replies.Of<WorkDone>().Count()} replies");

        await Eventually.Holds(() => replies.Of<WorkDone>().Select(d => d.BatchId).Distinct().Count() == batches, RunTimeout,
            () => $"{replies.Of<WorkDone>().Count()} replies; events: {Describe(events)}");
        await Task.Delay(500);
        Assert.Equal(Enumerable.Range(1, batches).Select(i => (long)i), replies.Of<WorkDone>().Select(d => d.BatchId).Order());
        Assert.Contains(events.Of<BrokerDisconnected>(), _ => true);
        Assert.Contains(events.Of<BrokerConnected>(), e => e.Generation >= 2);
    }

    private static List<long> Ids(NodeProcess node, string prefix) =>
        node.Lines.Where(l => l.StartsWith(prefix, StringComparison.Ordinal)).Select(l => long.Parse(l[prefix.Length..])).ToList();

    private static string Describe(Recorder.Handle events) => string.Join("; ", events.Messages.Select(m => m.ToString()));
}
