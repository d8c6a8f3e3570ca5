using System.Reflection;

namespace AkkaRlhf.Configuration;

/// <summary>
/// Builds the configuration used by the command line, lowest priority first:
/// modules' embedded reference.conf &lt; user file &lt; AKKA_RLHF__ environment variables &lt; command-line overrides.
/// The order of the Add calls does not matter across kinds; within a kind, later calls win.
/// Substitutions are resolved once, after all layers are merged, so a user file can refer to
/// reference keys and an override can refer to the user file.
/// </summary>
public sealed class ConfigLayers
{
    private readonly List<Config> _references = [], _files = [], _environment = [], _overrides = [];
    private Func<string, string?>? _variables;

    /// <summary>Adds the embedded reference.conf of a module; skipped when the assembly has none.</summary>
    public ConfigLayers AddReference(Assembly module, string resourceName = "reference.conf")
    {
        if (ConfigurationFactory.TryFromResource(module, resourceName) is { } config) _references.Add(config);
        return this;
    }

    /// <summary>Adds a reference (defaults) configuration.</summary>
    public ConfigLayers AddReference(Config reference) { _references.Add(reference); return this; }

    /// <summary>Adds the user's configuration file.</summary>
    /// <param name="path">The file; ignored when null.</param>
    /// <param name="optional">When true a missing file is skipped instead of being an error.</param>
    public ConfigLayers AddFile(string? path, bool optional = false)
    {
        if (path is not null && (!optional || File.Exists(path))) _files.Add(ConfigurationFactory.ParseFile(path));
        return this;
    }

    /// <summary>Adds a user-level configuration (same priority as a user file).</summary>
    public ConfigLayers AddUser(Config config) { _files.Add(config); return this; }

    /// <summary>
    /// Adds <c>AKKA_RLHF__a__b=value</c> overrides from <paramref name="variables"/> (the process environment when null).
    /// The same variables then also serve as the fallback for substitutions such as <c>${?HOME}</c>.
    /// </summary>
    public ConfigLayers AddEnvironment(IReadOnlyDictionary<string, string>? variables = null, string prefix = ConfigurationFactory.EnvironmentPrefix)
    {
        _environment.Add(ConfigurationFactory.FromEnvironment(variables, prefix));
        if (variables is not null) _variables = name => variables.GetValueOrDefault(name);
        return this;
    }

    /// <summary>Adds command-line overrides such as <c>a.b=3</c>.</summary>
    public ConfigLayers AddOverrides(IEnumerable<string> overrides)
    {
        _overrides.Add(ConfigurationFactory.ParseOverrides(overrides));
        return this;
    }

    /// <summary>Merges the layers and resolves substitutions.</summary>
    /// <exception cref="ConfigurationException">A substitution cannot be resolved.</exception>
    public Config Build() => _references.Concat(_files).Concat(_environment).Concat(_overrides)
        .Aggregate(ConfigurationFactory.Empty, (below, above) => above.WithFallback(below))
        .Resolve(_variables);

    /// <summary>The reference layer alone (every module's defaults), resolved: what the modules read.</summary>
    public Config BuildReference() => _references.Aggregate(ConfigurationFactory.Empty, (below, above) => above.WithFallback(below)).Resolve(_variables);

    /// <summary>The usual chain in one call: references of <paramref name="modules"/>, the user file, the environment, overrides.</summary>
    public static Config Load(IEnumerable<Assembly> modules, string? userFile, IEnumerable<string> overrides)
    {
        var layers = new ConfigLayers();
        foreach (var module in modules) layers.AddReference(module);
        return layers.AddFile(userFile).AddEnvironment().AddOverrides(overrides).Build();
    }
}
