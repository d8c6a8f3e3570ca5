using AkkaRlhf.Configuration;
using AkkaRlhf.Runtime.Event;

namespace AkkaRlhf.Runtime.Tests;

public class SettingsSpecs
{
    [Fact]
    public void Settings_from_an_empty_config_must_equal_the_documented_defaults() =>
        Assert.Equal(ActorSystemSettings.Default, ActorSystemSettings.FromConfig(ConfigurationFactory.Empty));

    [Fact]
    public void Settings_must_be_read_from_hocon_over_the_reference_defaults()
    {
        var s = ActorSystemSettings.FromConfig(ConfigurationFactory.ParseString("""
            akka.actor.ask-timeout = 250ms
            akka.actor.serialize-messages = on
            akka.actor.default-dispatcher.throughput = 5
            akka { loglevel = DEBUG, log-dead-letters = off, test.timefactor = 2.5, stdout-loglevel = OFF }
            """));
        Assert.Equal(TimeSpan.FromMilliseconds(250), s.AskTimeout);
        Assert.True(s.SerializeMessages);
        Assert.Equal(5, s.Throughput);
        Assert.Equal(LogLevel.Debug, s.LogLevel);
        Assert.Equal(0, s.LogDeadLetters);
        Assert.Equal(2.5, s.TestTimeFactor);
        Assert.False(s.StdoutLogging);
    }

    [Fact]
    public void A_mistyped_setting_must_name_the_key_and_its_origin()
    {
        var e = Assert.Throws<ConfigurationException>(() =>
            ActorSystemSettings.FromConfig(ConfigurationFactory.ParseString("akka.actor.ask-timeout = soon", "user.conf")));
        Assert.Contains("akka.actor.ask-timeout", e.Message);
        Assert.Contains("user.conf", e.Message);
    }

    [Fact]
    public async Task A_system_created_from_config_must_use_its_ask_timeout()
    {
        var system = ActorSystem.Create("cfg", ConfigurationFactory.ParseString("akka.actor.ask-timeout = 100ms, akka.stdout-loglevel = OFF"));
        try
        {
            Assert.Equal(TimeSpan.FromMilliseconds(100), system.Settings.AskTimeout);
            var silent = system.ActorOf(Props.Create<Silent>());
            await Assert.ThrowsAsync<AskTimeoutException>(() => silent.Ask<object>("hello"));
        }
        finally { await system.Terminate(); }
    }

    private sealed class Silent : ReceiveActor
    {
        public Silent() => ReceiveAny(_ => { });
    }
}
