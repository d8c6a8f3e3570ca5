using Akka.Configuration;
using ConfigurationException = AkkaRlhf.Configuration.ConfigurationException;
using AkkaRlhf.Actors.Dispatch;
using AkkaRlhf.Actors.Pipeline;
using AkkaRlhf.Models;
using AkkaRlhf.TestKit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace AkkaRlhf.Actors.Tests;

/// <summary>
/// Which dispatcher a model actor gets (<c>akka.rlhf.model-dispatcher.thread-per-actor</c>): by default (<c>auto</c>) the
/// thread pool for a model below <c>pool-below-parameters</c> and a thread of its own for a larger one; <c>on</c> and
/// <c>off</c> put every model on one side; a bad value is a configuration error naming the key.
/// </summary>
public sealed class ModelDispatchersSpecs(ITestOutputHelper output) : RlhfTestKit(output)
{
    /// <summary>Replies with the thread it runs on.</summary>
    private sealed class WhereAmI : ReceiveActor
    {
        public WhereAmI() => ReceiveAny(_ => Sender.Tell(Thread.CurrentThread));
    }

    private Thread ThreadOf(Props props)
    {
        Sys.ActorOf(props).Tell("where", TestActor);
        return ExpectMsg<Thread>();
    }

    private static ActorSystem SystemWith(string config) =>
        ActorSystem.Create("placement", ConfigurationFactory.ParseString(config).WithFallback(RlhfActors.AkkaConfig));

    [Fact]
    public void By_default_a_small_model_runs_on_the_thread_pool()
    {
        var placement = ModelDispatchers.Get(Sys);
        Assert.Equal(ModelDispatchers.Placement.Auto, placement.Mode);
        Assert.Equal(10_000_000, placement.PoolBelowParameters);
        using var policy = Tiny.Policy();
        Assert.True(ParameterCount.Of(policy) < 10_000_000);

        var props = Props.Create(() => new WhereAmI()).OnModelDispatcher(Sys, policy);
        Assert.Equal(ModelDispatchers.PoolId, props.Dispatcher);
        Assert.True(ThreadOf(props).IsThreadPoolThread);
    }

    [Fact]
    public async Task With_auto_a_model_at_the_threshold_gets_a_thread_of_its_own()
    {
        using var policy = Tiny.Policy();
        var size = ParameterCount.Of(policy);
        var system = SystemWith($"akka.rlhf.model-dispatcher.pool-below-parameters = {size}");
        try
        {
            Assert.Equal(RlhfActors.ModelDispatcher, ModelDispatchers.Get(system).For(size));
            Assert.Equal(ModelDispatchers.PoolId, ModelDispatchers.Get(system).For(size - 1));
            var props = Props.Create(() => new WhereAmI()).OnModelDispatcher(system, policy);
            Assert.Equal(RlhfActors.ModelDispatcher, props.Dispatcher);
            var probe = CreateTestProbe(system);
            system.ActorOf(props).Tell("where", probe);
            var thread = probe.ExpectMsg<Thread>();
            Assert.False(thread.IsThreadPoolThread);
            Assert.StartsWith(RlhfActors.ModelDispatcher, thread.Name);
        }
        finally { await system.Terminate(); }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void A_ppo_role_of_a_small_policy_is_resolved_onto_the_pool_its_pool_router_too(int poolSize)
    {
        var settings = Tiny.Role("reference", $"pool-size = {poolSize}");
        var props = RoleRegistry.Default.Resolve(new RoleContext("reference", settings, Tiny.Models(Tiny.Policy()), Tiny.Ppo(1), 1), Sys);
        Assert.Equal(ModelDispatchers.PoolId, props.Dispatcher);
        Assert.Equal(poolSize > 1, props.RouterConfig is Akka.Routing.Pool);
    }

    [Fact]
    public async Task With_auto_each_ppo_role_is_placed_by_the_size_of_the_model_it_runs()
    {
        using var policy = Tiny.Policy();
        using var g = new TorchSharp.torch.Generator(2);
        using var reward = new GptReward(Tiny.Config with { NEmbd = 32 }, g);                 // larger than the policy
        var system = SystemWith($"akka.rlhf.model-dispatcher.pool-below-parameters = {ParameterCount.Of(policy) + 1}");
        try
        {
            var models = Tiny.Models(policy) with { Reward = reward };
            string PlacedOn(string block, string type, PpoModels? of = null) =>
                RoleRegistry.Default.Resolve(new RoleContext(block, Tiny.Role(type, ""), of ?? models, Tiny.Ppo(1), 1), system).Dispatcher;
            Assert.Equal(RlhfActors.ModelDispatcher, PlacedOn("reward", "reward-model"));
            Assert.Equal(ModelDispatchers.PoolId, PlacedOn("reference", "reference"));
            Assert.Equal(ModelDispatchers.PoolId, PlacedOn("generator", "rollout"));
            Assert.Equal(ModelDispatchers.PoolId, PlacedOn("learner", "ppo"));
            Assert.Equal(ModelDispatchers.PoolId, PlacedOn("reward", "rule-based", Tiny.Models(policy)));   // no model: the policy's size
        }
        finally { await system.Terminate(); }
    }

    [Theory]
    [InlineData("on", RlhfActors.ModelDispatcher)]
    [InlineData("off", ModelDispatchers.PoolId)]
    public async Task On_and_off_place_every_model_alike(string mode, string expected)
    {
        var system = SystemWith($"akka.rlhf.model-dispatcher.thread-per-actor = {mode}");
        try
        {
            var placement = ModelDispatchers.Get(system);
            Assert.Equal(expected, placement.For(1));
            Assert.Equal(expected, placement.For(1_000_000_000));
            var probe = CreateTestProbe(system);
            system.ActorOf(Props.Create(() => new WhereAmI()).WithDispatcher(placement.For(1))).Tell("where", probe);
            Assert.Equal(mode == "off", probe.ExpectMsg<Thread>().IsThreadPoolThread);
        }
        finally { await system.Terminate(); }
    }

    [Theory]
    [InlineData("thread-per-actor = sometimes", "thread-per-actor = \"sometimes\" must be on, off or auto")]
    [InlineData("pool-below-parameters = -1", "pool-below-parameters = -1 must be >= 0")]
    public async Task A_bad_setting_is_a_configuration_error_naming_its_key(string setting, string message)
    {
        var system = SystemWith("akka.rlhf.model-dispatcher." + setting);
        try
        {
            var e = Assert.Throws<ConfigurationException>(() => ModelDispatchers.Get(system));
            Assert.Contains("akka.rlhf.model-dispatcher." + message, e.Message);
        }
        finally { await system.Terminate(); }
    }
}
