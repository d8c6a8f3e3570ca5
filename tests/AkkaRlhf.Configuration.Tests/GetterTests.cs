namespace AkkaRlhf.Configuration.Tests;

public class GetterTests
{
    private static Config Parse(string text) => ConfigurationFactory.ParseString(text, "get.conf");

    [Theory]
    [InlineData("250", 250 * TimeSpan.TicksPerMillisecond)]
    [InlineData("\"250\"", 250 * TimeSpan.TicksPerMillisecond)]
    [InlineData("1500ns", 15)]
    [InlineData("5 nanoseconds", 0)]
    [InlineData("3us", 30)]
    [InlineData("7 micros", 70)]
    [InlineData("100ms", 100 * TimeSpan.TicksPerMillisecond)]
    [InlineData("100 millis", 100 * TimeSpan.TicksPerMillisecond)]
    [InlineData("2 milliseconds", 2 * TimeSpan.TicksPerMillisecond)]
    [InlineData("10s", 10 * TimeSpan.TicksPerSecond)]
    [InlineData("1.5 seconds", 15 * TimeSpan.TicksPerSecond / 10)]
    [InlineData("2m", 2 * TimeSpan.TicksPerMinute)]
    [InlineData("3 minutes", 3 * TimeSpan.TicksPerMinute)]
    [InlineData("1h", TimeSpan.TicksPerHour)]
    [InlineData("2 hours", 2 * TimeSpan.TicksPerHour)]
    [InlineData("1d", TimeSpan.TicksPerDay)]
    [InlineData("7 days", 7 * TimeSpan.TicksPerDay)]
    public void Durations_accept_every_unit_and_a_bare_number_means_milliseconds(string written, long ticks) =>
        Assert.Equal(TimeSpan.FromTicks(ticks), Parse($"t = {written}").GetTimeSpan("t"));

    [Fact]
    public void Infinite_duration_is_the_infinite_timespan()
    {
        Assert.Equal(Timeout.InfiniteTimeSpan, Parse("t = infinite").GetTimeSpan("t"));
    }

    [Theory]
    [InlineData("10 Seconds")]
    [InlineData("10 fortnights")]
    [InlineData("soon")]
    public void Unknown_or_uppercase_duration_units_are_rejected_with_the_expected_type(string written)
    {
        var error = Assert.Throws<ConfigurationException>(() => Parse($"t = {written}").GetTimeSpan("t"));
        Assert.Contains("duration", error.Message);
        Assert.Contains("get.conf:1:5", error.Message);
    }

    [Theory]
    [InlineData("512", 512)]
    [InlineData("10b", 10)]
    [InlineData("10 bytes", 10)]
    [InlineData("1kB", 1000)]
    [InlineData("2 kilobytes", 2000)]
    [InlineData("1K", 1024)]
    [InlineData("1k", 1024)]
    [InlineData("1KiB", 1024)]
    [InlineData("3 kibibytes", 3072)]
    [InlineData("1.5 KiB", 1536)]
    [InlineData("1MB", 1_000_000)]
    [InlineData("1M", 1_048_576)]
    [InlineData("1MiB", 1_048_576)]
    [InlineData("1 mebibyte", 1_048_576)]
    [InlineData("2GB", 2_000_000_000)]
    [InlineData("2G", 2_147_483_648)]
    [InlineData("1GiB", 1_073_741_824)]
    [InlineData("1TB", 1_000_000_000_000)]
    [InlineData("1T", 1_099_511_627_776)]
    [InlineData("1TiB", 1_099_511_627_776)]
    public void Sizes_accept_powers_of_ten_and_powers_of_two(string written, long bytes) =>
        Assert.Equal(bytes, Parse($"s = {written}").GetByteSize("s"));

    [Fact]
    public void A_size_that_overflows_64_bits_is_rejected()
    {
        Assert.Throws<ConfigurationException>(() => Parse("s = 1 ZiB").GetByteSize("s"));
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("on", true)]
    [InlineData("yes", true)]
    [InlineData("false", false)]
    [InlineData("off", false)]
    [InlineData("no", false)]
    [InlineData("\"true\"", true)]
    public void Booleans_accept_true_false_on_off_yes_no(string written, bool expected) =>
        Assert.Equal(expected, Parse($"b = {written}").GetBoolean("b"));

    [Fact]
    public void Numbers_and_strings_convert_both_ways()
    {
        var c = Parse("n = 42\ns = \"17\"\nd = \"2.5\"\nb = true");
        Assert.Equal("42", c.GetString("n"));
        Assert.Equal(17, c.GetInt("s"));
        Assert.Equal(2.5, c.GetDouble("d"));
        Assert.Equal("true", c.GetString("b"));
    }

    [Fact]
    public void Lists_of_strings_ints_longs_doubles_and_booleans()
    {
        var c = Parse("s = [a, \"b c\", 3]\ni = [1, 2]\nl = [5000000000]\nd = [0.5, 2]\nb = [on, false]");
        Assert.Equal(new[] { "a", "b c", "3" }, c.GetStringList("s"));
        Assert.Equal(new[] { 1, 2 }, c.GetIntList("i"));
        Assert.Equal(new[] { 5_000_000_000L }, c.GetLongList("l"));
        Assert.Equal(new[] { 0.5, 2.0 }, c.GetDoubleList("d"));
        Assert.Equal(new[] { true, false }, c.GetBooleanList("b"));
    }

    [Fact]
    public void A_numerically_indexed_object_reads_as_a_list()
    {
        Assert.Equal(new[] { "a", "b", "c" }, Parse("l.2 = c\nl.0 = a\nl.1 = b\nl.x = ignored").GetStringList("l"));
    }

    [Fact]
    public void A_list_element_of_the_wrong_type_names_its_index()
    {
        var error = Assert.Throws<ConfigurationException>(() => Parse("i = [1, x]").GetIntList("i"));
        Assert.Contains("'i[1]'", error.Message);
        Assert.Contains("get.conf:1:9", error.Message);
    }

    [Fact]
    public void Defaults_are_returned_for_missing_paths()
    {
        var c = Parse("a = 1");
        Assert.Equal("x", c.GetString("nope", "x"));
        Assert.Equal(7, c.GetInt("nope", 7));
        Assert.Equal(7L, c.GetLong("nope", 7));
        Assert.Equal(0.5, c.GetDouble("nope", 0.5));
        Assert.True(c.GetBoolean("nope", true));
        Assert.Equal(TimeSpan.FromSeconds(1), c.GetTimeSpan("nope", TimeSpan.FromSeconds(1)));
        Assert.Equal(10L, c.GetByteSize("nope", 10));
        Assert.Equal(new[] { "d" }, c.GetStringList("nope", ["d"]));
    }

    [Fact]
    public void A_missing_path_without_default_throws_naming_the_path_and_where_its_parent_is_defined()
    {
        var error = Assert.Throws<ConfigurationException>(() => Parse("akka {\n  actor { x = 1 }\n}").GetInt("akka.actor.timeout"));
        Assert.Contains("'akka.actor.timeout'", error.Message);
        Assert.Contains("no key 'timeout'", error.Message);
        Assert.Contains("get.conf:2:9", error.Message);
        Assert.Equal("akka.actor.timeout", error.Path);
    }

    [Fact]
    public void A_wrong_type_names_the_path_the_expected_type_and_file_line_column()
    {
        var error = Assert.Throws<ConfigurationException>(() => Parse("a {\n  b = not-a-number\n}").GetInt("a.b"));
        Assert.Contains("get.conf:2:7", error.Message);
        Assert.Contains("'a.b'", error.Message);
        Assert.Contains("32-bit integer", error.Message);
        Assert.Equal(2, error.Origin!.Line);
        Assert.Equal(7, error.Origin.Column);
    }

    [Fact]
    public void An_int_out_of_range_is_a_type_error()
    {
        Assert.Throws<ConfigurationException>(() => Parse("a = 3000000000").GetInt("a"));
        Assert.Equal(3_000_000_000L, Parse("a = 3000000000").GetLong("a"));
    }

    [Fact]
    public void A_null_value_counts_as_absent_for_has_path_and_defaults()
    {
        var c = Parse("a = null");
        Assert.False(c.HasPath("a"));
        Assert.Equal(3, c.GetInt("a", 3));
        Assert.Contains("null", Assert.Throws<ConfigurationException>(() => c.GetInt("a")).Message);
    }

    [Fact]
    public void Get_config_returns_a_sub_tree_and_object_keys_enumerate_it_in_order()
    {
        var c = Parse("akka.actor { z = 1, a = 2, m { x = 1 } }");
        var actor = c.GetConfig("akka.actor");
        Assert.Equal(new[] { "z", "a", "m" }, actor.GetObjectKeys(""));
        Assert.Equal(new[] { "z", "a", "m" }, c.GetObjectKeys("akka.actor"));
        Assert.Equal(1, actor.GetInt("m.x"));
        Assert.True(c.GetConfig("nothing.here").IsEmpty);
        Assert.Throws<ConfigurationException>(() => c.GetConfig("akka.actor.z"));
    }

    [Fact]
    public void Quoted_path_segments_in_getters_reach_keys_with_dots()
    {
        var c = Parse("a { \"b.c\" = 1 }");
        Assert.True(c.HasPath("a.\"b.c\""));
        Assert.False(c.HasPath("a.b.c"));
    }

    [Fact]
    public void To_json_and_to_hocon_render_the_resolved_tree_in_definition_order()
    {
        var c = Parse("b = 1\na { \"x.y\" = [1, \"two\"], n = null, e {} }\nr = ${b}");
        Assert.Equal("{\"b\":1,\"a\":{\"x.y\":[1,\"two\"],\"n\":null,\"e\":{}},\"r\":1}", c.ToJson());
        Assert.Contains("\"b\": 1", c.ToJson(indented: true));
        var hocon = c.ToHocon();
        Assert.Equal("b = 1\na {\n  \"x.y\" = [1, \"two\"]\n  n = null\n  e {}\n}\nr = 1\n", hocon);
        Assert.Equal(c.ToJson(), ConfigurationFactory.ParseString(hocon).ToJson());
        Assert.Equal(hocon, c.ToString());
    }
}
