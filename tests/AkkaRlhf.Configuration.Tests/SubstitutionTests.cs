namespace AkkaRlhf.Configuration.Tests;

public class SubstitutionTests
{
    private static Config Resolve(string text) =>
        ConfigurationFactory.ParseString(text, "subst.conf").Resolve(_ => null);

    [Fact]
    public void Substitutions_look_forward_and_keep_the_type_of_a_lone_value()
    {
        var c = Resolve("a = ${b}\nb = 42\ns = ${b} apples\nl = ${list}\nlist = [1, 2]");
        Assert.Equal(HoconScalarKind.Number, ((HoconScalar)c.GetValue("a")!).Kind);
        Assert.Equal("42 apples", c.GetString("s"));
        Assert.Equal(new[] { 1, 2 }, c.GetIntList("l"));
    }

    [Fact]
    public void A_substitution_sees_the_final_merged_value_of_its_target()
    {
        var c = Resolve("bar { foo = 42, baz = ${bar.foo} }\nbar { foo = 43 }");
        Assert.Equal(43, c.GetInt("bar.baz"));
    }

    [Fact]
    public void Mutually_referring_objects_resolve()
    {
        var c = Resolve("bar : { a : ${foo.d}, b : 1 }\nbar.b = 3\nfoo : { c : ${bar.b}, d : 2 }\nfoo.d = 4");
        Assert.Equal(4, c.GetInt("bar.a"));
        Assert.Equal(3, c.GetInt("foo.c"));
    }

    [Fact]
    public void Self_referential_substitution_must_append_to_the_previous_value()
    {
        var c = Resolve("path = \"/usr\"\npath = ${path}\":/bin\"\npath = ${path}\":/sbin\"");
        Assert.Equal("/usr:/bin:/sbin", c.GetString("path"));
    }

    [Fact]
    public void An_unquoted_colon_in_a_value_is_rejected_with_a_hint_to_quote_it()
    {
        var error = Assert.Throws<ConfigurationException>(() => Resolve("path = ${path}:/bin"));
        Assert.Contains("subst.conf:1:15", error.Message);
        Assert.Contains("double quotes", error.Message);
    }

    [Fact]
    public void Self_referential_array_concatenation_adds_to_the_earlier_array()
    {
        var c = Resolve("path = [ /bin ]\npath = ${path} [ /usr/bin ]");
        Assert.Equal(new[] { "/bin", "/usr/bin" }, c.GetStringList("path"));
    }

    [Fact]
    public void Self_referential_object_concatenation_merges_into_the_earlier_object()
    {
        var c = Resolve("a { x = 1 }\na = ${a} { b = 1, c = ${a.x} }");
        Assert.Equal("{\"a\":{\"x\":1,\"b\":1,\"c\":1}}", c.ToJson());
    }

    [Fact]
    public void A_self_reference_through_a_path_looks_at_the_value_below()
    {
        var c = Resolve("foo : { a : { c : 1 } }\nfoo : ${foo.a}\nfoo : { a : 2 }");
        Assert.Equal("{\"foo\":{\"a\":2,\"c\":1}}", c.ToJson());
    }

    [Fact]
    public void Inheritance_by_object_concatenation_merges_the_base()
    {
        var c = Resolve("generic = { cluster-size = 6 }\neast = ${generic} { name = \"east\" }");
        Assert.Equal(6, c.GetInt("east.cluster-size"));
        Assert.Equal("east", c.GetString("east.name"));
    }

    [Fact]
    public void A_missing_optional_substitution_omits_the_field_and_keeps_an_earlier_value()
    {
        var c = Resolve("a = ${?nope}\nb = 1\nb = ${?nope}\nc = ${?x}foo\nd = [1, ${?nope}, 2]");
        Assert.False(c.HasPath("a"));
        Assert.Equal(1, c.GetInt("b"));
        Assert.Equal("foo", c.GetString("c"));
        Assert.Equal(new[] { 1, 2 }, c.GetIntList("d"));
    }

    [Fact]
    public void An_optional_self_reference_without_earlier_value_disappears_silently()
    {
        Assert.True(Resolve("foo : ${?foo}").IsEmpty);
        Assert.Equal("foo", Resolve("a = ${?a}foo").GetString("a"));
    }

    [Fact]
    public void A_substitution_hidden_by_a_later_plain_value_is_never_evaluated()
    {
        Assert.Equal(42, Resolve("foo : ${does-not-exist}\nfoo : 42").GetInt("foo"));
    }

    [Fact]
    public void A_missing_required_substitution_names_the_path_file_line_and_column()
    {
        var error = Assert.Throws<ConfigurationException>(() => Resolve("a = 1\nb = ${missing.key}"));
        Assert.Contains("subst.conf:2:5", error.Message);
        Assert.Contains("missing.key", error.Message);
        Assert.Equal("missing.key", error.Path);
    }

    [Fact]
    public void A_two_step_cycle_is_detected_with_a_clear_error()
    {
        var error = Assert.Throws<ConfigurationException>(() => Resolve("bar : ${foo}\nfoo : ${bar}"));
        Assert.Contains("cycle", error.Message);
        Assert.Contains("${foo}", error.Message);
        Assert.Contains("${bar}", error.Message);
    }

    [Fact]
    public void A_three_step_cycle_is_detected()
    {
        var error = Assert.Throws<ConfigurationException>(() => Resolve("a : ${b}\nb : ${c}\nc : ${a}"));
        Assert.Contains("cycle", error.Message);
    }

    [Fact]
    public void An_object_containing_a_reference_to_itself_is_an_unbreakable_cycle()
    {
        var error = Assert.Throws<ConfigurationException>(() => Resolve("a : { b : ${a} }"));
        Assert.Contains("cycle", error.Message);
    }

    [Fact]
    public void A_self_reference_without_an_earlier_value_is_reported_as_undefined()
    {
        var error = Assert.Throws<ConfigurationException>(() => Resolve("foo : ${foo}"));
        Assert.Contains("refers to itself", error.Message);
    }

    [Fact]
    public void An_object_may_refer_to_its_own_fields()
    {
        var c = Resolve("a = { x : 42, y : ${a.x} }");
        Assert.Equal(42, c.GetInt("a.y"));
    }

    [Fact]
    public void A_substitution_set_to_null_resolves_to_null_and_never_reads_the_environment()
    {
        var c = ConfigurationFactory.ParseString("HOME = null\nh = ${HOME}").Resolve(_ => "/home/x");
        Assert.False(c.HasPath("h"));
        Assert.Equal(HoconScalarKind.Null, ((HoconScalar)c.GetValue("h")!).Kind);
    }

    [Fact]
    public void Substitutions_missing_from_the_config_fall_back_to_environment_variables()
    {
        var env = new Dictionary<string, string> { ["MY_HOME"] = "/home/me", ["EMPTY"] = "" };
        var c = ConfigurationFactory.ParseString("a = ${MY_HOME}/data\nb = ${?MY_HOME}\nc = ${?EMPTY}\nd = ${?NOT_SET}")
            .Resolve(env.GetValueOrDefault);
        Assert.Equal("/home/me/data", c.GetString("a"));
        Assert.Equal("/home/me", c.GetString("b"));
        Assert.Equal("", c.GetString("c"));
        Assert.False(c.HasPath("d"));
    }

    [Fact]
    public void The_process_environment_is_the_default_substitution_fallback()
    {
        var name = "AKKA_RLHF_TEST_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(name, "from-env");
        try { Assert.Equal("from-env", ConfigurationFactory.ParseString($"a = ${{?{name}}}").GetString("a")); }
        finally { Environment.SetEnvironmentVariable(name, null); }
    }

    [Fact]
    public void Substitutions_resolve_across_a_fallback_chain_after_merging()
    {
        var reference = ConfigurationFactory.ParseString("timeout = 5s\npaths = [/a]\ndefaults { x = 1 }");
        var user = ConfigurationFactory.ParseString("ask-timeout = ${timeout}\npaths = ${paths} [/b]\nmine = ${defaults} { y = 2 }");
        var c = user.WithFallback(reference).Resolve(_ => null);
        Assert.Equal(TimeSpan.FromSeconds(5), c.GetTimeSpan("ask-timeout"));
        Assert.Equal(new[] { "/a", "/b" }, c.GetStringList("paths"));
        Assert.Equal("{\"x\":1,\"y\":2}", c.GetConfig("mine").ToJson());
    }

    [Fact]
    public void A_fallback_may_refer_to_values_that_the_higher_layer_overrides()
    {
        var reference = ConfigurationFactory.ParseString("base = 1\nderived = ${base}");
        var c = ConfigurationFactory.ParseString("base = 2").WithFallback(reference);
        Assert.Equal(2, c.GetInt("derived"));
    }

    [Fact]
    public void Undefined_order_cases_give_both_fields_the_same_value()
    {
        var c = Resolve("a : 1\nb : 2\na : ${b}\nb : ${a}");
        Assert.Equal(c.GetInt("a"), c.GetInt("b"));
    }
}
