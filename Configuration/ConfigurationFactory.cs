using System.Collections;
using System.Reflection;

namespace AkkaRlhf.Configuration;

/// <summary>Creates <see cref="Config"/> instances from HOCON text, files, embedded resources, overrides and environment variables.</summary>
public static class ConfigurationFactory
{
    /// <summary>The prefix of environment variables that override keys: <c>AKKA_RLHF__a__b__c=value</c> sets <c>a.b.c</c>.</summary>
    public const string EnvironmentPrefix = "AKKA_RLHF__";

    /// <summary>A configuration with no keys.</summary>
    public static Config Empty { get; } = new(HoconObject.Empty);

    /// <summary>Parses HOCON (or JSON) text. Relative includes are resolved against the current directory.</summary>
    /// <param name="text">The HOCON text.</param>
    /// <param name="origin">Name used in error messages; "string" when null.</param>
    /// <exception cref="ConfigurationException">The text is not valid HOCON.</exception>
    public static Config ParseString(string text, string? origin = null) =>
        new(HoconParser.ParseObject(text, origin ?? "string", Includer.ForDirectory(null)));

    /// <summary>Parses a .conf or .json file; relative includes are resolved against the file's folder.</summary>
    /// <exception cref="ConfigurationException">The file is missing or not valid HOCON.</exception>
    public static Config ParseFile(string path)
    {
        if (!File.Exists(path)) throw new ConfigurationException($"configuration file '{path}' not found");
        return new(Includer.ForDirectory(null).ParseFile(path, []));
    }

    /// <summary>
    /// Parses an embedded resource, e.g. a module's reference.conf. The resource is found by its exact
    /// manifest name or by a name ending in "." + <paramref name="name"/>.
    /// </summary>
    /// <exception cref="ConfigurationException">The assembly has no such resource.</exception>
    public static Config FromResource(Assembly assembly, string name = "reference.conf") =>
        TryFromResource(assembly, name) ?? throw new ConfigurationException(
            $"assembly {assembly.GetName().Name} has no embedded resource '{name}' " +
            $"(resources: {string.Join(", ", assembly.GetManifestResourceNames())}); " +
            "add <EmbeddedResource Include=\"reference.conf\" /> to its project");

    /// <summary>Like <see cref="FromResource(Assembly, string)"/> with the assembly that defines <typeparamref name="T"/>.</summary>
    public static Config FromResource<T>(string name = "reference.conf") => FromResource(typeof(T).Assembly, name);

    /// <summary>Like <see cref="FromResource(Assembly, string)"/> but null when the resource does not exist.</summary>
    public static Config? TryFromResource(Assembly assembly, string name = "reference.conf")
    {
        var resource = assembly.GetManifestResourceNames()
            .FirstOrDefault(r => r == name || r.EndsWith("." + name, StringComparison.Ordinal));
        return resource is null ? null : new Config(Includer.ParseResource(assembly, resource, []));
    }

    /// <summary>
    /// Command-line overrides: each string is a HOCON field such as <c>a.b=3</c>, <c>a.list=[1,2]</c> or
    /// <c>a.list += 3</c>. Later strings win.
    /// </summary>
    /// <exception cref="ConfigurationException">An override is not a valid HOCON field.</exception>
    public static Config ParseOverrides(IEnumerable<string> overrides)
    {
        var root = HoconObject.Empty;
        int index = 0;
        foreach (var text in overrides)
        {
            index++;
            if (!text.Contains('=') && !text.Contains(':') && !text.Contains('{'))
                throw new ConfigurationException($"override #{index} '{text}' must look like key=value");
            var parsed = HoconParser.ParseObject(text, $"override #{index} '{text}'", Includer.ForDirectory(null));
            root = HoconMerge.Objects(root, parsed);
        }
        return new Config(root);
    }

    /// <summary>
    /// Environment overrides: a variable <c>AKKA_RLHF__a__b__c=value</c> sets path <c>a.b.c</c> (keys keep their case).
    /// The value is a string (getters convert it), unless it starts with '[' or '{': then it is parsed as HOCON.
    /// </summary>
    /// <param name="variables">The variables to read; the process environment when null.</param>
    /// <param name="prefix">The variable-name prefix.</param>
    public static Config FromEnvironment(IEnumerable<KeyValuePair<string, string>>? variables = null, string prefix = EnvironmentPrefix)
    {
        variables ??= Environment.GetEnvironmentVariables().Cast<DictionaryEntry>()
            .Select(e => KeyValuePair.Create((string)e.Key, (string?)e.Value ?? ""));
        var root = HoconObject.Empty;
        foreach (var (name, value) in variables.Where(v => v.Key.StartsWith(prefix, StringComparison.Ordinal)).OrderBy(v => v.Key, StringComparer.Ordinal))
        {
            var keys = name[prefix.Length..].Split("__");
            if (keys.Any(k => k.Length == 0)) throw new ConfigurationException($"environment variable {name}: empty key in its name");
            var origin = $"environment variable {name}";
            var trimmed = value.TrimStart();
            var text = trimmed.StartsWith('[') || trimmed.StartsWith('{')
                ? $"{HoconPath.Render(keys)} = {value}"
                : $"{HoconPath.Render(keys)} = {HoconRenderer.Quote(value)}";
            root = HoconMerge.Objects(root, HoconParser.ParseObject(text, origin, Includer.ForDirectory(null)));
        }
        return new Config(root);
    }
}
