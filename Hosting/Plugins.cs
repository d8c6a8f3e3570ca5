using System.Reflection;
using System.Runtime.Loader;
using AkkaRlhf.Configuration;

namespace AkkaRlhf.Hosting;

/// <summary>
/// Loads the plug-in assemblies of <c>akka-rlhf.plugins</c> into the default load context, where a role type named by its
/// assembly-qualified name in a PPO block (<c>RoleRegistry</c>) then resolves. A path to nothing or to a file that is not a
/// .NET assembly is a bad setting naming where it was set.
/// </summary>
public static class Plugins
{
    /// <summary>The assemblies of <c>akka-rlhf.plugins</c>, loaded (once per process; loading the same file again returns it).</summary>
    /// <exception cref="ConfigurationException">A path that is not a loadable assembly.</exception>
    public static IReadOnlyList<Assembly> Load(Config config)
    {
        if (!config.HasPath("akka-rlhf.plugins")) return [];
        var origin = config.GetValue("akka-rlhf.plugins")?.Origin;
        var loaded = new List<Assembly>();
        foreach (var path in config.GetStringList("akka-rlhf.plugins"))
        {
            var full = Path.GetFullPath(path);
            ConfigurationException Bad(string why, Exception? inner = null) =>
                new($"{origin}: akka-rlhf.plugins: \"{path}\" {why}", origin, "akka-rlhf.plugins", inner);
            if (!File.Exists(full)) throw Bad("is not a file");
            try
            {
                var name = AssemblyName.GetAssemblyName(full);
                var already = AssemblyLoadContext.Default.Assemblies.FirstOrDefault(a => AssemblyName.ReferenceMatchesDefinition(a.GetName(), name));
                loaded.Add(already ?? AssemblyLoadContext.Default.LoadFromAssemblyPath(full));
            }
            catch (BadImageFormatException e) { throw Bad("is not a .NET assembly", e); }
        }
        return loaded;
    }
}
