using Spectre.Console;

namespace AkkaRlhf.Hosting.Reporting;

/// <summary>
/// Chooses between a rich Spectre.Console terminal and plain text: rich only when writing to the
/// process's own console and that console is a terminal (not redirected to a file or a pipe).
/// </summary>
public static class Terminal
{
    /// <summary>True when <paramref name="writer"/> is the console's output and the console is an interactive terminal.</summary>
    public static bool IsInteractive(TextWriter writer) =>
        ReferenceEquals(writer, Console.Out) && !Console.IsOutputRedirected
        && AnsiConsole.Profile.Capabilities.Interactive && AnsiConsole.Profile.Capabilities.Ansi;

    /// <summary>The console to render on: the rich one for an interactive terminal, else a plain one (no ANSI escapes).</summary>
    public static IAnsiConsole For(TextWriter writer) => IsInteractive(writer) ? AnsiConsole.Console : Plain(writer);

    /// <summary>A console that writes plain text (no colours, no cursor movement) to <paramref name="writer"/>.</summary>
    public static IAnsiConsole Plain(TextWriter writer, int width = 100)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(writer),
        });
        console.Profile.Width = width;
        return console;
    }
}
