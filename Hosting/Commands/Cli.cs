using AkkaRlhf.Configuration;

namespace AkkaRlhf.Hosting.Commands;

/// <summary>Runs a command body and turns expected failures into one clear line and exit code 1.</summary>
internal static class Cli
{
    public static int Run(Action body) => Run(() => { body(); return 0; });

    public static int Run(Func<int> body)
    {
        try { return body(); }
        catch (Exception e) when (e is ConfigurationException or IOException or FormatException or ArgumentException
                                      or InvalidDataException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }
}
