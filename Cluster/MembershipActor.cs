using System.Diagnostics;
using AkkaRlhf.Runtime;
using static AkkaRlhf.Cluster.ClusterEvent;

namespace AkkaRlhf.Cluster;

/// <summary>
/// Keeps the member list from heartbeats (every node, this one included, publishes one per
/// <c>heartbeat-interval</c> on a fanout exchange) and publishes MemberUp, UnreachableMember,
/// ReachableMember and MemberRemoved on the event stream. While this node has no broker connection
/// it suspends judgement (silence then says nothing about the others) and restarts the clocks on
/// reconnect. A graceful leave is an immediate MemberRemoved.
/// </summary>
internal sealed class MembershipActor : ReceiveActor, IWithTimers
{
    private readonly ClusterNode _node;
    private readonly Dictionary<Address, (Member Member, long LastSeen)> _members = [];
    private bool _connected = true;

    public MembershipActor(ClusterNode node)
    {
        _node = node;
        Receive<HeartbeatReceived>(OnHeartbeat);
        Receive<Tick>(_ => OnTick());
        Receive<ConnectionChanged>(c =>
        {
            _connected = c.Connected;
            if (!c.Connected) return;
            var now = Stopwatch.GetTimestamp();
            foreach (var key in _members.Keys.ToList()) _members[key] = (_members[key].Member, now);
            _node.SendHeartbeat(leaving: false);
        });
        Receive<SubscribeRequest>(r =>
        {
            r.Subscriber.Tell(new CurrentClusterState(Snapshot()), Self);
            foreach (var channel in r.Channels) Context.System.EventStream.Subscribe(r.Subscriber, channel);
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart()
    {
        Timers.StartPeriodicTimer("tick", Tick.Instance, TimeSpan.Zero, _node.Settings.HeartbeatInterval);
    }

    private void OnHeartbeat(HeartbeatReceived received)
    {
        var beat = received.Heartbeat;
        Address address;
        try { address = Address.Parse(beat.Address); }
        catch (FormatException) { return; }
        var now = Stopwatch.GetTimestamp();
        var known = _members.TryGetValue(address, out var entry);
        if (beat.Leaving)
        {
            if (known) Remove(address, entry.Member);
            return;
        }
        if (!known)
        {
            var member = new Member(address, beat.Roles, MemberStatus.Up);
            _members[address] = (member, now);
            Publish(new MemberUp(member));
            return;
        }
        if (entry.Member.Status == MemberStatus.Unreachable)
        {
            var member = entry.Member with { Status = MemberStatus.Up };
            _members[address] = (member, now);
            Publish(new ReachableMember(member));
            return;
        }
        var current = entry.Member;
        if (!current.Roles.SequenceEqual(beat.Roles)) current = current with { Roles = beat.Roles };
        _members[address] = (current, now);
        if (!ReferenceEquals(current, entry.Member)) _node.Members = Snapshot();
    }

    private void OnTick()
    {
        if (!_connected) return;
        _node.SendHeartbeat(leaving: false);
        var now = Stopwatch.GetTimestamp();
        foreach (var (address, (member, lastSeen)) in _members.ToList())
        {
            if (address.Equals(_node.SelfAddress)) continue;
            var silent = Stopwatch.GetElapsedTime(lastSeen, now);
            if (silent >= _node.Settings.RemovedAfter) Remove(address, member);
            else if (silent >= _node.Settings.UnreachableAfter && member.Status == MemberStatus.Up)
            {
                var unreachable = member with { Status = MemberStatus.Unreachable };
                _members[address] = (unreachable, lastSeen);
                Publish(new UnreachableMember(unreachable));
            }
        }
    }

    private void Remove(Address address, Member member)
    {
        _members.Remove(address);
        Publish(new MemberRemoved(member with { Status = MemberStatus.Removed }));
    }

    private void Publish(IMemberEvent e)
    {
        _node.Members = Snapshot();
        _node.Log.Info($"{e.GetType().Name}: {e.Member}");
        Context.System.EventStream.Publish(e);
    }

    private List<Member> Snapshot() => _members.Values.Select(v => v.Member).OrderBy(m => m.Address.ToString(), StringComparer.Ordinal).ToList();

    /// <summary>A heartbeat taken from the heartbeat queue.</summary>
    internal sealed record HeartbeatReceived(Heartbeat Heartbeat) : INoSerializationVerificationNeeded;

    /// <summary>The broker connection went up or down.</summary>
    internal sealed record ConnectionChanged(bool Connected) : INoSerializationVerificationNeeded;

    /// <summary>Send <see cref="CurrentClusterState"/> to a subscriber, then subscribe it.</summary>
    internal sealed record SubscribeRequest(IActorRef Subscriber, Type[] Channels) : INoSerializationVerificationNeeded;

    private sealed class Tick : INoSerializationVerificationNeeded
    {
        public static readonly Tick Instance = new();
    }
}
