using System.CommandLine;

namespace AkkaRlhf.Hosting.Commands;

/// <summary>Options shared by several commands.</summary>
internal static class Options
{
    /// <summary><c>--set key=value</c> (repeatable): configuration overrides, the highest layer.</summary>
    public static Option<string[]> Overrides() => new("--set")
    {
        Description = "override a configuration key (HOCON path=value); repeatable",
        AllowMultipleArgumentsPerToken = false,
        Arity = ArgumentArity.ZeroOrMore,
    };
}
