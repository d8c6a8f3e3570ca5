namespace AkkaRlhf.Configuration.Tests;

public class ParserTests
{
    private static Config Parse(string text) => ConfigurationFactory.ParseString(text, "test.conf");

    [Fact]
    public void Root_braces_may_be_omitted_and_separators_may_be_colon_equals_or_nothing_before_a_brace()
    {
        var c = Parse("a : 1\nb = 2\nc { d = 3 }\n");
        Assert.Equal(1, c.GetInt("a"));
        Assert.Equal(2, c.GetInt("b"));
        Assert.Equal(3, c.GetInt("c.d"));
    }

    [Fact]
    public void Commas_or_newlines_separate_fields_and_a_trailing_comma_is_allowed()
    {
        var c = Parse("{ a = 1, b = 2,\n c = 3\n d = [1, 2, 3,] , }");
        Assert.Equal(new[] { "a", "b", "c", "d" }, c.GetObjectKeys(""));
        Assert.Equal(new[] { 1, 2, 3 }, c.GetIntList("d"));
    }

    [Theory]
    [InlineData("a = [1,,2]")]
    [InlineData("a = [,1]")]
    [InlineData("{ a = 1,, b = 2 }")]
    [InlineData("a = 1 }")]
    [InlineData("{ a = 1")]
    public void Double_leading_commas_and_unbalanced_braces_must_be_rejected(string text) =>
        Assert.Throws<ConfigurationException>(() => Parse(text));

    [Fact]
    public void Hash_and_double_slash_comments_are_ignored_outside_quotes()
    {
        var c = Parse("# header\na = 1 // trailing\nb = \"x # not a comment // either\" # real");
        Assert.Equal(1, c.GetInt("a"));
        Assert.Equal("x # not a comment // either", c.GetString("b"));
    }

    [Fact]
    public void Quoted_strings_support_json_escapes()
    {
        var c = Parse("a = \"tab\\there \\u00e9 \\\"q\\\" back\\\\slash\"");
        Assert.Equal("tab\there é \"q\" back\\slash", c.GetString("a"));
    }

    [Fact]
    public void Triple_quoted_strings_keep_newlines_and_escapes_verbatim_and_extra_quotes_belong_to_the_string()
    {
        var c = Parse("a = \"\"\"line 1\n  line \\n 2\"\"\"\nb = \"\"\"foo\"\"\"\"");
        Assert.Equal("line 1\n  line \\n 2", c.GetString("a"));
        Assert.Equal("foo\"", c.GetString("b"));
    }

    [Fact]
    public void Unquoted_strings_concatenate_with_the_whitespace_between_them_preserved()
    {
        var c = Parse("a =   null bar  42 \"baz\" true 3.14 hi   \nb = foo\"bar\"");
        Assert.Equal("null bar  42 baz true 3.14 hi", c.GetString("a"));
        Assert.Equal("foobar", c.GetString("b"));
    }

    [Fact]
    public void A_single_value_keeps_its_type_but_a_concatenation_becomes_a_string()
    {
        var c = Parse("a = true\nb = true foo\nc = 42\nd = 10.0bar");
        Assert.Equal(HoconScalarKind.Boolean, ((HoconScalar)c.GetValue("a")!).Kind);
        Assert.Equal("true foo", c.GetString("b"));
        Assert.Equal(HoconScalarKind.Number, ((HoconScalar)c.GetValue("c")!).Kind);
        Assert.Equal("10.0bar", c.GetString("d"));
    }

    [Fact]
    public void Numbers_may_be_integers_longs_or_doubles_with_exponents()
    {
        var c = Parse("i = -12\nl = 9000000000\nd = 1.5e3\ne = 2E-2");
        Assert.Equal(-12, c.GetInt("i"));
        Assert.Equal(9_000_000_000L, c.GetLong("l"));
        Assert.Equal(1500.0, c.GetDouble("d"));
        Assert.Equal(0.02, c.GetDouble("e"), 10);
        Assert.Equal("1.5e3", c.GetString("d"));
    }

    [Fact]
    public void Path_keys_expand_into_nested_objects_and_quoted_segments_may_contain_dots()
    {
        var c = Parse("a.b.c = 1\na.\"x.y\".z = 2\n\"a\".b.d = 3\nfoo bar = 4\n3.14 = pi\n\"\" = empty");
        Assert.Equal(1, c.GetInt("a.b.c"));
        Assert.Equal(3, c.GetInt("a.b.d"));
        Assert.Equal(2, c.GetInt("a.\"x.y\".z"));
        Assert.Equal(new[] { "x.y" }, c.GetObjectKeys("a").Where(k => k.Contains('.')));
        Assert.Equal(4, c.GetInt("foo bar"));
        Assert.Equal("pi", c.GetString("3.14"));
        Assert.Equal(new[] { "14" }, c.GetObjectKeys("3"));
        Assert.Equal("empty", c.GetString("\"\""));
    }

    [Fact]
    public void Empty_path_elements_must_be_quoted()
    {
        var error = Assert.Throws<ConfigurationException>(() => Parse("a..b = 1"));
        Assert.Contains("test.conf:1:1", error.Message);
        Assert.Contains("empty key", error.Message);
    }

    [Fact]
    public void Duplicate_keys_merge_objects_and_otherwise_the_later_value_wins()
    {
        var c = Parse("foo { a = 1, b = 1 }\nfoo { b = 2, c = 3 }\nx = 1\nx = 2");
        Assert.Equal("{\"foo\":{\"a\":1,\"b\":2,\"c\":3},\"x\":2}", c.ToJson());
    }

    [Fact]
    public void Setting_a_key_to_null_between_two_objects_prevents_their_merge()
    {
        var c = Parse("foo { a = 42 }\nfoo = null\nfoo { b = 43 }");
        Assert.Equal("{\"foo\":{\"b\":43}}", c.ToJson());
    }

    [Fact]
    public void Arrays_concatenate_and_objects_merge_when_written_side_by_side()
    {
        var c = Parse("a = [1, 2] [3, 4]\nb = { x = 1 } { y = 2 }\nc = [ 1 2 3 ]");
        Assert.Equal(new[] { 1, 2, 3, 4 }, c.GetIntList("a"));
        Assert.Equal("{\"x\":1,\"y\":2}", c.GetConfig("b").ToJson());
        Assert.Equal(new[] { "1 2 3" }, c.GetStringList("c"));
        Assert.Equal("{\"d\":[[1,2],[3]]}", Parse("d = [ [1] [2]\n [3] ]").ToJson());
    }

    [Fact]
    public void Concatenating_an_array_with_a_string_is_an_error_naming_the_position()
    {
        var error = Assert.Throws<ConfigurationException>(() => Parse("a = [1] foo"));
        Assert.Contains("test.conf:1:5", error.Message);
        Assert.Contains("concatenate", error.Message);
    }

    [Fact]
    public void Plus_equals_appends_to_an_array_or_starts_one()
    {
        var c = Parse("a = [1]\na += 2\nb += x\nnested { list = [a] }\nnested { list += b }");
        Assert.Equal(new[] { 1, 2 }, c.GetIntList("a"));
        Assert.Equal(new[] { "x" }, c.GetStringList("b"));
        Assert.Equal(new[] { "a", "b" }, c.GetStringList("nested.list"));
    }

    [Fact]
    public void Include_may_be_an_ordinary_word_when_not_at_the_start_of_a_key()
    {
        var c = Parse("foo include = 42\nbar = include\n\"include\" = 1");
        Assert.Equal(42, c.GetInt("foo include"));
        Assert.Equal("include", c.GetString("bar"));
        Assert.Equal(1, c.GetInt("\"include\""));
    }

    [Fact]
    public void Reserved_characters_outside_quotes_are_rejected_with_file_line_and_column()
    {
        var error = Assert.Throws<ConfigurationException>(() => Parse("a = 1\nb = x^y"));
        Assert.Contains("test.conf:2:6", error.Message);
        Assert.Contains("'^'", error.Message);
    }

    [Fact]
    public void Json_documents_parse_unchanged()
    {
        var c = Parse("{\"a\":{\"b\":[1,2.5,\"s\",true,null]},\"c\":{}}");
        Assert.Equal("{\"a\":{\"b\":[1,2.5,\"s\",true,null]},\"c\":{}}", c.ToJson());
    }

    [Fact]
    public void A_root_array_is_rejected_because_a_configuration_is_an_object()
    {
        var error = Assert.Throws<ConfigurationException>(() => Parse("[1, 2]"));
        Assert.Contains("root", error.Message);
    }

    [Fact]
    public void An_empty_document_is_an_empty_configuration()
    {
        Assert.True(Parse("  # nothing here\n").IsEmpty);
        Assert.True(ConfigurationFactory.Empty.IsEmpty);
    }
}

public class ParserEdgeCaseTests
{
    private static Config Parse(string text) => ConfigurationFactory.ParseString(text, "edge.conf");

    [Fact]
    public void Triple_quoted_strings_concatenate_with_other_strings_and_substitutions()
    {
        var c = Parse("name = world\ngreeting = \"\"\"Hello,\n\"\"\" ${name}\"!\"");
        Assert.Equal("Hello,\n world!", c.GetString("greeting"));
    }

    [Fact]
    public void A_separator_or_value_may_follow_on_a_later_line()
    {
        var c = Parse("\"key\" # comment\n: // another\n  \"value\"");
        Assert.Equal("value", c.GetString("key"));
    }

    [Fact]
    public void Include_may_have_its_file_name_on_the_next_line()
    {
        Assert.True(Parse("include\n  \"does-not-exist.conf\"\na = 1").HasPath("a"));
    }

    [Fact]
    public void Unicode_separators_and_the_bom_count_as_whitespace()
    {
        var c = Parse("\uFEFFa\u00A0=\u2007b c");
        Assert.Equal("b c", c.GetString("a"));
    }

    [Fact]
    public void A_keyword_starting_an_unquoted_word_is_split_but_concatenates_back()
    {
        var c = Parse("a = truefoo\nb = footrue\ntrueAgain = 1");
        Assert.Equal("truefoo", c.GetString("a"));
        Assert.Equal("footrue", c.GetString("b"));
        Assert.Equal(1, c.GetInt("trueAgain"));
    }

    [Fact]
    public void An_unterminated_quoted_string_names_where_it_starts()
    {
        var error = Assert.Throws<ConfigurationException>(() => Parse("a = 1\nb = \"oops\nc = 2"));
        Assert.Contains("edge.conf:2:5", error.Message);
        Assert.Contains("unterminated", error.Message);
    }

    [Fact]
    public void A_missing_separator_names_the_key_and_position()
    {
        var error = Assert.Throws<ConfigurationException>(() => Parse("a = 1\nb 2\n"));
        Assert.Equal("edge.conf:2:1: expected ':', '=' or '{' after key '\"b 2\"' but found end of input", error.Message);
    }

    [Fact]
    public void Huge_durations_are_a_type_error_not_a_crash()
    {
        Assert.Throws<ConfigurationException>(() => Parse("t = 99999999999999999999999 days").GetTimeSpan("t"));
    }
}
