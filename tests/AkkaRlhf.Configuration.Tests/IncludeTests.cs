namespace AkkaRlhf.Configuration.Tests;

public sealed class IncludeTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("akka-rlhf-config-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string relative, string text)
    {
        var path = Path.Combine(_dir, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void Relative_includes_resolve_against_the_including_files_folder_not_the_working_directory()
    {
        Write("conf/sub/child.conf", "child = 1\ninclude \"grandchild.conf\"");
        Write("conf/sub/grandchild.conf", "grandchild = 2");
        var main = Write("conf/main.conf", "include \"sub/child.conf\"\nown = 0");
        var c = ConfigurationFactory.ParseFile(main);
        Assert.Equal("{\"child\":1,\"grandchild\":2,\"own\":0}", c.ToJson());
    }

    [Fact]
    public void Include_inside_an_object_nests_the_fields_and_later_keys_override_included_ones()
    {
        Write("part.conf", "x = 1\ny = 1");
        var main = Write("main.conf", "a { x = 0, include file(\"part.conf\"), y = 2 }");
        Assert.Equal("{\"a\":{\"x\":1,\"y\":2}}", ConfigurationFactory.ParseFile(main).ToJson());
    }

    [Fact]
    public void Substitutions_in_included_files_are_fixed_up_to_the_include_point_and_also_tried_at_the_root()
    {
        Write("foo.conf", "x = 10\ny = ${x}\nz = ${top}");
        var main = Write("main.conf", "top = t\na { include \"foo.conf\" }\na { x = 42 }");
        var c = ConfigurationFactory.ParseFile(main).Resolve(_ => null);
        Assert.Equal(42, c.GetInt("a.y"));
        Assert.Equal("t", c.GetString("a.z"));
    }

    [Fact]
    public void A_name_without_extension_loads_json_then_conf_and_merges_them()
    {
        Write("both.json", "{ \"a\": 1, \"b\": 1 }");
        Write("both.conf", "b = 2");
        var main = Write("main.conf", "include \"both\"");
        Assert.Equal("{\"a\":1,\"b\":2}", ConfigurationFactory.ParseFile(main).ToJson());
    }

    [Fact]
    public void A_missing_include_is_ignored_but_a_missing_required_include_is_an_error_naming_the_line()
    {
        var optional = Write("optional.conf", "include \"nope.conf\"\na = 1");
        Assert.Equal(1, ConfigurationFactory.ParseFile(optional).GetInt("a"));

        var required = Write("required.conf", "a = 1\ninclude required(\"nope.conf\")");
        var error = Assert.Throws<ConfigurationException>(() => ConfigurationFactory.ParseFile(required));
        Assert.Contains("required.conf:2:1", error.Message);
        Assert.Contains("nope.conf", error.Message);
        Assert.Equal(2, ConfigurationFactory.ParseFile(Write("r2.conf", "include required(file(\"optional.conf\"))\nb = 2")).Root.Count);
    }

    [Fact]
    public void Including_a_properties_file_is_reported_as_unsupported_with_file_and_line()
    {
        Write("legacy.properties", "a=1");
        var main = Write("main.conf", "x = 1\n  include \"legacy.properties\"");
        var error = Assert.Throws<ConfigurationException>(() => ConfigurationFactory.ParseFile(main));
        Assert.Contains("main.conf:2:3", error.Message);
        Assert.Contains("legacy.properties", error.Message);
        Assert.Contains("not supported", error.Message);
    }

    [Fact]
    public void A_basename_include_that_finds_a_properties_file_is_reported_as_unsupported()
    {
        Write("mixed.conf", "a = 1");
        Write("mixed.properties", "b=2");
        var main = Write("main.conf", "include \"mixed\"");
        Assert.Contains("mixed.properties", Assert.Throws<ConfigurationException>(() => ConfigurationFactory.ParseFile(main)).Message);
    }

    [Theory]
    [InlineData("include url(\"http://example.com/a.conf\")", "url(")]
    [InlineData("include \"https://example.com/a.conf\"", "url(")]
    [InlineData("include classpath(\"a.conf\")", "classpath(")]
    [InlineData("include required(classpath(\"a.conf\"))", "classpath(")]
    public void Url_and_classpath_includes_are_reported_as_unsupported(string statement, string named)
    {
        var error = Assert.Throws<ConfigurationException>(() => ConfigurationFactory.ParseString("a = 1\n" + statement, "inc.conf"));
        Assert.Contains("inc.conf:2:1", error.Message);
        Assert.Contains(named, error.Message);
        Assert.Contains("not supported", error.Message);
    }

    [Theory]
    [InlineData("include foo.conf")]
    [InlineData("include file(foo.conf)")]
    [InlineData("include")]
    public void A_malformed_include_is_an_error(string statement) =>
        Assert.Throws<ConfigurationException>(() => ConfigurationFactory.ParseString(statement));

    [Fact]
    public void A_file_that_includes_itself_stops_with_an_error()
    {
        var loop = Write("loop.conf", "include \"loop.conf\"");
        Assert.Contains("include itself", Assert.Throws<ConfigurationException>(() => ConfigurationFactory.ParseFile(loop)).Message);
    }

    [Fact]
    public void Syntax_errors_in_an_included_file_name_that_file()
    {
        Write("broken.conf", "ok = 1\nbad = [1,,2]");
        var main = Write("main.conf", "include \"broken.conf\"");
        var error = Assert.Throws<ConfigurationException>(() => ConfigurationFactory.ParseFile(main));
        Assert.Contains("broken.conf:2:10", error.Message);
    }

    [Fact]
    public void Parse_file_of_a_missing_file_names_it()
    {
        Assert.Contains("nowhere.conf", Assert.Throws<ConfigurationException>(() => ConfigurationFactory.ParseFile(Path.Combine(_dir, "nowhere.conf"))).Message);
    }
}
