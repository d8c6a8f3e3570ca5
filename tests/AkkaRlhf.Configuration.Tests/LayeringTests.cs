namespace AkkaRlhf.Configuration.Tests;

public sealed class LayeringTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("akka-rlhf-layers-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void With_fallback_lets_the_receiver_win_and_merges_objects_recursively()
    {
        var fallback = ConfigurationFactory.ParseString("a { x = 1, y = 1, deep { p = 1 } }\nb = 1");
        var config = ConfigurationFactory.ParseString("a { y = 2, deep { q = 2 } }").WithFallback(fallback);
        Assert.Equal("{\"a\":{\"x\":1,\"y\":2,\"deep\":{\"p\":1,\"q\":2}},\"b\":1}", config.ToJson());
    }

    [Fact]
    public void A_non_object_in_between_hides_objects_further_down_the_fallback_chain()
    {
        var config = ConfigurationFactory.ParseString("a { x = 1 }")
            .WithFallback(ConfigurationFactory.ParseString("a = 42"))
            .WithFallback(ConfigurationFactory.ParseString("a { y = 2 }"));
        Assert.Equal("{\"a\":{\"x\":1}}", config.ToJson());
    }

    [Fact]
    public void Embedded_reference_conf_loads_with_its_sibling_includes()
    {
        var reference = ConfigurationFactory.FromResource(typeof(LayeringTests).Assembly);
        Assert.Equal(TimeSpan.FromSeconds(5), reference.GetTimeSpan("sample.ask-timeout"));
        Assert.False(reference.GetBoolean("sample.nested.flag"));
        Assert.Equal("extra-value", reference.GetString("sample.extra-key"));
        Assert.Equal(reference.ToJson(), ConfigurationFactory.FromResource<LayeringTests>().ToJson());
    }

    [Fact]
    public void A_missing_resource_is_an_error_listing_the_resources()
    {
        var error = Assert.Throws<ConfigurationException>(() => ConfigurationFactory.FromResource(typeof(LayeringTests).Assembly, "nope.conf"));
        Assert.Contains("nope.conf", error.Message);
        Assert.Contains("reference.conf", error.Message);
    }

    [Fact]
    public void Overrides_are_key_value_hocon_and_later_ones_win()
    {
        var config = ConfigurationFactory.ParseOverrides(["a.b=1", "a.c = \"x y\"", "a.b = 2", "list=[1,2]"]);
        Assert.Equal("{\"a\":{\"b\":2,\"c\":\"x y\"},\"list\":[1,2]}", config.ToJson());
    }

    [Fact]
    public void An_override_that_is_not_key_value_is_rejected_naming_it()
    {
        var error = Assert.Throws<ConfigurationException>(() => ConfigurationFactory.ParseOverrides(["a.b"]));
        Assert.Contains("'a.b'", error.Message);
    }

    [Fact]
    public void Environment_overrides_map_double_underscores_to_path_separators()
    {
        var env = new Dictionary<string, string>
        {
            ["AKKA_RLHF__learner__batch-size"] = "64",
            ["AKKA_RLHF__learner__devices"] = "[0, 1]",
            ["AKKA_RLHF__learner__name"] = "a # not a comment",
            ["OTHER"] = "ignored",
        };
        var config = ConfigurationFactory.FromEnvironment(env);
        Assert.Equal(64, config.GetInt("learner.batch-size"));
        Assert.Equal(new[] { 0, 1 }, config.GetIntList("learner.devices"));
        Assert.Equal("a # not a comment", config.GetString("learner.name"));
        Assert.Equal(new[] { "learner" }, config.GetObjectKeys(""));
    }

    [Fact]
    public void Layers_rank_reference_then_user_file_then_environment_then_command_line()
    {
        var user = Path.Combine(_dir, "user.conf");
        File.WriteAllText(user, "sample.parallelism = 8\nsample.paths = ${sample.paths} [/home/me]\nsample.level = user\nsample.env-only = user");
        var env = new Dictionary<string, string> { ["AKKA_RLHF__sample__level"] = "env", ["AKKA_RLHF__sample__env-only"] = "env", ["HOME"] = "/home/me" };

        var config = new ConfigLayers()
            .AddOverrides(["sample.level = cli", "sample.paths += /cli"])   // order of calls does not matter
            .AddEnvironment(env)
            .AddFile(user)
            .AddReference(typeof(LayeringTests).Assembly)
            .Build();

        Assert.Equal(TimeSpan.FromSeconds(5), config.GetTimeSpan("sample.ask-timeout"));   // reference
        Assert.Equal(8, config.GetInt("sample.parallelism"));                              // user beats reference
        Assert.Equal("env", config.GetString("sample.env-only"));                          // environment beats user
        Assert.Equal("cli", config.GetString("sample.level"));                             // command line beats all
        Assert.Equal(new[] { "/opt/sample", "/home/me", "/cli" }, config.GetStringList("sample.paths"));
    }

    [Fact]
    public void Layer_substitutions_fall_back_to_the_given_environment_variables()
    {
        var env = new Dictionary<string, string> { ["DATA_DIR"] = "/data" };
        var config = new ConfigLayers()
            .AddReference(ConfigurationFactory.ParseString("dir = ${?DATA_DIR}/runs"))
            .AddEnvironment(env)
            .Build();
        Assert.Equal("/data/runs", config.GetString("dir"));
    }

    [Fact]
    public void An_optional_user_file_may_be_absent()
    {
        var config = new ConfigLayers().AddFile(Path.Combine(_dir, "absent.conf"), optional: true).AddOverrides(["a=1"]).Build();
        Assert.Equal(1, config.GetInt("a"));
        Assert.Throws<ConfigurationException>(() => new ConfigLayers().AddFile(Path.Combine(_dir, "absent.conf")));
    }

    [Fact]
    public void Build_reports_unresolvable_substitutions_immediately()
    {
        var layers = new ConfigLayers().AddOverrides(["a = ${nowhere.at.all}"]).AddEnvironment(new Dictionary<string, string>());
        var error = Assert.Throws<ConfigurationException>(() => layers.Build());
        Assert.Contains("override #1", error.Message);
        Assert.Contains("nowhere.at.all", error.Message);
    }

    [Fact]
    public void Load_combines_module_references_user_file_environment_and_overrides()
    {
        var config = ConfigLayers.Load([typeof(LayeringTests).Assembly], null, ["sample.parallelism = 16"]);
        Assert.Equal(16, config.GetInt("sample.parallelism"));
        Assert.Equal("extra-value", config.GetString("sample.extra-key"));
    }
}
