using System.Reflection;

namespace AkkaRlhf.Configuration;

/// <summary>One include statement: the quoted name, its form (heuristic, file, url, classpath) and required().</summary>
internal sealed record IncludeRequest(string Name, string Kind, bool Required, HoconOrigin At);

/// <summary>
/// Loads included files relative to the including file's folder, or embedded resources of the same assembly.
/// <c>.properties</c> files, <c>url()</c> and <c>classpath()</c> are reported as unsupported.
/// </summary>
internal sealed class Includer
{
    private const int MaxDepth = 32;
    private static readonly string[] Extensions = [".properties", ".json", ".conf"]; // parse order: later wins
    private readonly string? _directory;
    private readonly Assembly? _assembly;
    private readonly int _depth;

    private Includer(string? directory, Assembly? assembly, int depth) => (_directory, _assembly, _depth) = (directory, assembly, depth);

    /// <summary>Includes relative to <paramref name="directory"/> (the current directory when null).</summary>
    public static Includer ForDirectory(string? directory) => new(directory, null, 0);

    /// <summary>Includes resolved against the embedded resources of <paramref name="assembly"/>.</summary>
    public static Includer ForAssembly(Assembly assembly) => new(null, assembly, 0);

    /// <summary>Parses a file, with includes relative to its folder.</summary>
    public HoconObject ParseFile(string path, IReadOnlyList<string> prefix)
    {
        if (path.EndsWith(".properties", StringComparison.OrdinalIgnoreCase))
            throw new ConfigurationException($"{path}: Java .properties files are not supported; use .conf or .json");
        var nested = new Includer(Path.GetDirectoryName(Path.GetFullPath(path)), null, _depth + 1);
        return HoconParser.ParseObject(File.ReadAllText(path), path, nested, prefix);
    }

    public HoconObject Include(IncludeRequest request, IReadOnlyList<string> prefix)
    {
        if (_depth >= MaxDepth)
            throw ConfigurationException.At(request.At, $"includes nested more than {MaxDepth} deep (does '{request.Name}' include itself?)");
        var kind = request.Kind;
        var name = request.Name;
        if (kind == "heuristic" && Uri.TryCreate(name, UriKind.Absolute, out var uri) && uri.Scheme.Length > 1)
        {
            if (!uri.IsFile) kind = "url";
            else (kind, name) = ("file", uri.LocalPath);
        }
        if (kind is "url" or "classpath")
            throw Unsupported(request, $"include {kind}(\"{request.Name}\")", "only files relative to the including file can be included");
        return _assembly is not null && kind == "heuristic" ? IncludeResource(request, prefix) : IncludeFile(request, name, prefix);
    }

    private HoconObject IncludeFile(IncludeRequest request, string name, IReadOnlyList<string> prefix)
    {
        var path = Path.Combine(_directory ?? Directory.GetCurrentDirectory(), name);
        var candidates = HasKnownExtension(name) ? [path] : Extensions.Select(e => path + e).Prepend(path).ToArray();
        var found = candidates.Where(File.Exists).ToList();
        if (found.Count == 0)
            return request.Required
                ? throw ConfigurationException.At(request.At, $"required include '{request.Name}' not found (looked for {string.Join(", ", candidates)})")
                : HoconObject.Empty;
        var properties = found.FirstOrDefault(f => f.EndsWith(".properties", StringComparison.OrdinalIgnoreCase));
        if (properties is not null)
            throw Unsupported(request, $"'{properties}'", "Java .properties files cannot be included; use .conf or .json");
        return found.Select(f => ParseFile(f, prefix)).Aggregate(HoconObject.Empty, HoconMerge.Objects);
    }

    private HoconObject IncludeResource(IncludeRequest request, IReadOnlyList<string> prefix)
    {
        var names = _assembly!.GetManifestResourceNames();
        string Find(string n) => names.FirstOrDefault(r => r == n || r.EndsWith("." + n.Replace('/', '.'), StringComparison.Ordinal)) ?? "";
        var candidates = HasKnownExtension(request.Name) ? [request.Name] : Extensions.Select(e => request.Name + e).ToArray();
        var found = candidates.Select(Find).Where(r => r.Length > 0).ToList();
        if (found.Count == 0)
            return request.Required
                ? throw ConfigurationException.At(request.At, $"required include '{request.Name}' not found among the resources of {_assembly.GetName().Name}")
                : HoconObject.Empty;
        if (found.Any(f => f.EndsWith(".properties", StringComparison.Ordinal)))
            throw Unsupported(request, $"resource '{request.Name}.properties'", "Java .properties files cannot be included; use .conf or .json");
        return found.Select(r => ParseResource(_assembly, r, prefix, _depth + 1)).Aggregate(HoconObject.Empty, HoconMerge.Objects);
    }

    /// <summary>Parses an embedded resource; its includes look for sibling resources.</summary>
    public static HoconObject ParseResource(Assembly assembly, string resource, IReadOnlyList<string> prefix, int depth = 0)
    {
        using var stream = assembly.GetManifestResourceStream(resource)
            ?? throw new ConfigurationException($"resource '{resource}' not found in {assembly.GetName().Name}");
        using var reader = new StreamReader(stream);
        return HoconParser.ParseObject(reader.ReadToEnd(), $"{assembly.GetName().Name}:{resource}", new Includer(null, assembly, depth), prefix);
    }

    private static bool HasKnownExtension(string name) =>
        Extensions.Any(e => name.EndsWith(e, StringComparison.OrdinalIgnoreCase));

    private static ConfigurationException Unsupported(IncludeRequest request, string what, string why) =>
        ConfigurationException.At(request.At, $"include of {what} is not supported: {why}");
}
