using Akka.Actor;
using Akka.Configuration;
using AkkaRlhf.Actors;
using AkkaRlhf.Actors.Dispatch;
using AkkaRlhf.Hosting;
using AkkaRlhf.Hosting.Nodes;

namespace AkkaRlhf.Cluster.Tests;

/// <summary>
/// A cluster member's model actors each get a thread of their own whatever the model's size (one process defaults to
/// <c>auto</c>, which puts small models on the thread pool); a user's own <c>thread-per-actor</c> still wins.
/// </summary>
public sealed class MemberDispatcherSpecs
{
    private static async Task<string> DispatcherOfASmallModel(string? userSetting, bool member)
    {
        var config = AppConfig.Load(null, userSetting is null ? [] : [userSetting]);
        var akka = ActorSystems.ToAkkaConfig(config, member ? [ClusterMember.AkkaConfig] : []);
        var system = ActorSystem.Create("placement", ConfigurationFactory.ParseString("""
            akka.actor.provider = local
            akka.loglevel = OFF
            akka.stdout-loglevel = OFF
            """).WithFallback(akka));                                                  // the placement only: no cluster, no port
        try { return ModelDispatchers.Get(system).For(100_000); }
        finally { await system.Terminate(); }
    }

    [Fact]
    public async Task A_member_runs_a_small_model_on_a_thread_of_its_own_where_one_process_uses_the_pool()
    {
        Assert.Equal(ModelDispatchers.PoolId, await DispatcherOfASmallModel(null, member: false));
        Assert.Equal(RlhfActors.ModelDispatcher, await DispatcherOfASmallModel(null, member: true));
    }

    [Fact]
    public async Task A_users_thread_per_actor_wins_on_a_member()
    {
        Assert.Equal(ModelDispatchers.PoolId, await DispatcherOfASmallModel("akka.rlhf.model-dispatcher.thread-per-actor = auto", member: true));
        Assert.Equal(ModelDispatchers.PoolId, await DispatcherOfASmallModel("akka.rlhf.model-dispatcher.thread-per-actor = off", member: true));
    }
}
