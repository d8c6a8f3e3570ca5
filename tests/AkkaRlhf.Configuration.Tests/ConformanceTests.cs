using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace AkkaRlhf.Configuration.Tests;

/// <summary>Locates <c>&lt;repo&gt;/../shared/conformance/hocon</c> (or $AKKA_RLHF_SHARED) at discovery time.</summary>
public static partial class ConformanceData
{
    public static string? Folder { get; } = Locate();

    public const string MissingReason =
        "HOCON conformance data not found: looked for shared/conformance/hocon next to the repository root " +
        "(walking up from the test binaries and sources) and in $AKKA_RLHF_SHARED";

    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        if (Folder is null) return data;
        foreach (var dir in Directory.GetDirectories(Folder, "equiv*").Order(StringComparer.Ordinal))
            foreach (var file in Directory.GetFiles(dir).Where(f => f.EndsWith(".conf") || f.EndsWith(".json")).Order(StringComparer.Ordinal))
                data.Add(Path.GetRelativePath(Folder, file).Replace('\\', '/'));
        return data;
    }

    private static string? Locate([CallerFilePath] string sourceFile = "")
    {
        if (Environment.GetEnvironmentVariable("AKKA_RLHF_SHARED") is { Length: > 0 } shared)
            foreach (var candidate in new[] { Path.Combine(shared, "conformance", "hocon"), shared })
                if (HasEquivFolders(candidate)) return candidate;
        foreach (var start in new[] { AppContext.BaseDirectory, Path.GetDirectoryName(sourceFile) ?? "" })
            for (var dir = start; !string.IsNullOrEmpty(dir); dir = Path.GetDirectoryName(dir))
            {
                var candidate = Path.Combine(dir, "shared", "conformance", "hocon");
                if (HasEquivFolders(candidate)) return candidate;
            }
        return null;
    }

    private static bool HasEquivFolders(string dir) => Directory.Exists(dir) && Directory.GetDirectories(dir, "equiv*").Length > 0;

    /// <summary>True when the file (transitively) includes a Java .properties file, which the README allows to be unsupported.</summary>
    public static bool IncludesPropertiesFile(string file, HashSet<string>? seen = null)
    {
        seen ??= [];
        if (!seen.Add(Path.GetFullPath(file)) || !File.Exists(file)) return false;
        foreach (Match m in IncludePattern().Matches(File.ReadAllText(file)))
        {
            var target = Path.Combine(Path.GetDirectoryName(file)!, m.Groups[1].Value);
            var known = new[] { ".conf", ".json", ".properties" }.Any(e => target.EndsWith(e));
            var candidates = known ? [target] : new[] { target + ".properties", target + ".json", target + ".conf" };
            if (candidates.Any(c => c.EndsWith(".properties") && File.Exists(c))) return true;
            if (candidates.Any(c => IncludesPropertiesFile(c, seen))) return true;
        }
        return false;
    }

    [GeneratedRegex(@"include\s+(?:required\(\s*)?(?:file\(\s*)?""([^""]*)""")]
    private static partial Regex IncludePattern();
}

/// <summary>A theory that reports itself skipped when the conformance folder is absent.</summary>
public sealed class ConformanceTheoryAttribute : TheoryAttribute
{
    public ConformanceTheoryAttribute()
    {
        if (ConformanceData.Folder is null) Skip = ConformanceData.MissingReason;
    }
}

public class ConformanceTests
{
    [ConformanceTheory]
    [MemberData(nameof(ConformanceData.Files), MemberType = typeof(ConformanceData))]
    public void Every_equivalent_file_must_resolve_to_the_folders_original_json(string file)
    {
        var path = Path.Combine(ConformanceData.Folder!, file);
        var expected = JsonDocument.Parse(File.ReadAllText(Path.Combine(Path.GetDirectoryName(path)!, "original.json"))).RootElement;

        if (ConformanceData.IncludesPropertiesFile(path))
        {
            var error = Assert.Throws<ConfigurationException>(() => ConfigurationFactory.ParseFile(path).Resolve(_ => null));
            Assert.Contains(".properties", error.Message);
            Assert.Contains("not supported", error.Message);
            Assert.Matches(@"\.conf:\d+:\d+: ", error.Message);
            return;
        }

        var actual = ConfigurationFactory.ParseFile(path).Resolve(_ => null).ToJson(indented: true);
        Assert.True(JsonValuesEqual(expected, JsonDocument.Parse(actual).RootElement), $"{file} resolved to\n{actual}");
    }

    /// <summary>Structural JSON equality; object key order ignored, numbers compared by value.</summary>
    public static bool JsonValuesEqual(JsonElement a, JsonElement b)
    {
        if (a.ValueKind != b.ValueKind) return false;
        return a.ValueKind switch
        {
            JsonValueKind.Object => a.EnumerateObject().Count() == b.EnumerateObject().Count()
                && a.EnumerateObject().All(p => b.TryGetProperty(p.Name, out var v) && JsonValuesEqual(p.Value, v)),
            JsonValueKind.Array => a.GetArrayLength() == b.GetArrayLength()
                && a.EnumerateArray().Zip(b.EnumerateArray()).All(p => JsonValuesEqual(p.First, p.Second)),
            JsonValueKind.Number => a.GetDouble() == b.GetDouble(),
            JsonValueKind.String => a.GetString() == b.GetString(),
            _ => true,
        };
    }
}
