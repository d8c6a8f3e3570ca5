using Config = AkkaRlhf.Configuration.Config;
using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace AkkaRlhf.Hosting.Tests;

public sealed class AddAkkaRlhfSpecs
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>Replies to every string with the same string.</summary>
    private sealed class Echo : ReceiveActor
    {
        public Echo() => Receive<string>(s => Sender.Tell(s, Self));
    }

    private static IHost Build(Action<AkkaRlhfOptions>? configure = null)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddAkkaRlhf("hosting-spec", options =>
        {
            options.UseEnvironment = false;
            options.WithOverrides("akka.loglevel = OFF", "akka.stdout-loglevel = OFF");
            configure?.Invoke(options);
        });
        return builder.Build();
    }

    [Fact]
    public async Task The_actor_system_starts_with_the_host_and_runs_the_start_up_actions()
    {
        using var host = Build(o => o.WithActors((system, registry) => registry.Register<Echo>(system.ActorOf(Props.Create<Echo>(), "echo"))));

        await host.StartAsync();
        var system = host.Services.GetRequiredService<ActorSystem>();
        var echo = host.Services.GetRequiredService<ActorRegistry>().Get<Echo>();

        Assert.Equal("hosting-spec", system.Name);
        Assert.Equal("akka://hosting-spec/user/echo", echo.Path.ToString());
        Assert.Equal("hello", await echo.Ask<string>("hello", Timeout));
        await host.StopAsync();
    }

    [Fact]
    public async Task A_bad_model_dispatcher_setting_fails_the_start_naming_its_key()
    {
        const string bad = "akka.rlhf.model-dispatcher.thread-per-actor = sometimes";
        using var host = Build(o => o.WithOverrides(bad));
        var e = await Assert.ThrowsAnyAsync<Exception>(() => host.StartAsync());
        var chain = new List<Exception>();
        for (Exception? x = e; x is not null; x = x.InnerException) chain.Add(x);
        Assert.Contains(chain, x => x is Configuration.ConfigurationException c && c.Path == "akka.rlhf.model-dispatcher.thread-per-actor");

        var config = AppConfig.Load(null, [bad, "akka.loglevel = OFF", "akka.stdout-loglevel = OFF"]);
        var direct = Assert.Throws<Configuration.ConfigurationException>(() => ActorSystems.Create("bad-dispatcher", config));
        Assert.Contains("must be on, off or auto", direct.Message);
        Assert.StartsWith($"override #1 '{bad}'", direct.Message);                       // where it was set
    }

    [Fact]
    public async Task Settings_come_from_the_layered_configuration()
    {
        var file = Path.GetTempFileName();
        await File.WriteAllTextAsync(file, "akka.actor.ask-timeout = 7s\nakka.actor.default-dispatcher.throughput = 5\nspec.layer = file");
        try
        {
            using var host = Build(o => o
                .WithConfigFile(file)
                .WithConfig("spec.layer = config\nakka.actor.ask-timeout = 5s")
                .WithOverrides("akka.actor.ask-timeout = 3s"));
            await host.StartAsync();

            var settings = host.Services.GetRequiredService<ActorSystem>().Settings;
            Assert.Equal(TimeSpan.FromSeconds(3), settings.AskTimeout);       // override > config > file
            Assert.Equal(5, settings.Config.GetInt("akka.actor.default-dispatcher.throughput"));   // file > Akka's reference (30)
            Assert.Equal("WARNING", ActorSystems.ToAkkaConfig(AppConfig.Load(null, [])).GetString("akka.loglevel"));  // Hosting's reference.conf
            Assert.Equal("config", host.Services.GetRequiredService<Config>().GetString("spec.layer"));
            await host.StopAsync();
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Environment_variables_are_a_layer_below_the_overrides()
    {
        Environment.SetEnvironmentVariable("AKKA_RLHF__hosting-spec__from-env", "42");
        using var host = Build(o => o.UseEnvironment = true);

        await host.StartAsync();

        Assert.Equal(42, host.Services.GetRequiredService<Config>().GetInt("hosting-spec.from-env"));
        await host.StopAsync();
    }

    [Fact]
    public async Task The_registry_hands_out_a_start_up_actor_to_services_that_wait_for_it()
    {
        using var host = Build(o => o.WithActors((system, registry, services) =>
            registry.Register<Echo>(system.ActorOf(Props.Create<Echo>(), "echo"))));
        var registry = host.Services.GetRequiredService<ActorRegistry>();
        var pending = registry.GetAsync<Echo>();

        Assert.False(registry.TryGet<Echo>(out _));
        await host.StartAsync();

        Assert.Same(registry.Get<Echo>(), await pending.WaitAsync(Timeout));
        Assert.ThrowsAny<Exception>(() => registry.Register<Echo>(registry.Get<Echo>()));   // registered once
        Assert.ThrowsAny<Exception>(() => registry.Get<string>());
        await host.StopAsync();
    }

    [Fact]
    public async Task Stopping_the_host_terminates_the_actor_system()
    {
        using var host = Build();
        await host.StartAsync();
        var system = host.Services.GetRequiredService<ActorSystem>();

        await host.StopAsync();

        Assert.True(system.WhenTerminated.IsCompleted);
    }

    [Fact]
    public async Task The_actor_system_terminating_by_itself_stops_the_host()
    {
        using var host = Build();
        await host.StartAsync();
        var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
        var stopping = new TaskCompletionSource();
        lifetime.ApplicationStopping.Register(() => stopping.TrySetResult());

        await host.Services.GetRequiredService<ActorSystem>().Terminate();

        await stopping.Task.WaitAsync(Timeout);
        await host.WaitForShutdownAsync().WaitAsync(Timeout);
    }

    [Fact]
    public async Task A_failing_start_up_action_fails_the_start_and_terminates_the_system()
    {
        using var host = Build(o => o.WithActors((_, _) => throw new InvalidOperationException("no learner")));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());

        Assert.Equal("no learner", error.Message);
        await host.Services.GetRequiredService<ActorSystem>().WhenTerminated.WaitAsync(Timeout);
    }

    [Fact]
    public void One_actor_system_per_host()
    {
        var services = new ServiceCollection().AddAkkaRlhf("one");

        Assert.Throws<InvalidOperationException>(() => services.AddAkkaRlhf("two"));
    }
}
