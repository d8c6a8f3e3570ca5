using AkkaRlhf.Configuration;
using AkkaRlhf.Models;
using AkkaRlhf.Models.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace AkkaRlhf.Hosting.Commands;

/// <summary>
/// Runs a command body and turns a failure into one clear line on stderr and exit code 1. Errors of
/// bad input (config, dataset row, checkpoint, file) print their message only; anything else also
/// names its type. AKKA_RLHF_DEBUG=1 prints the stack trace.
/// </summary>
internal static class Cli
{
    /// <summary>The exit code of a bad setting (unknown value, wrong type, malformed file, ...): nothing was trained.</summary>
    public const int BadSettings = 2;

    public static int Run(Action body) => Run(() => { body(); return 0; });

    public static int Run(Func<int> body)
    {
        try { return body(); }
        catch (Exception e)
        {
            var expected = e is ConfigurationException or DatasetException or CheckpointCorruptException
                or System.Runtime.InteropServices.ExternalException or IOException or FormatException or ArgumentException or InvalidDataException
                or UnauthorizedAccessException or InvalidOperationException;
            Console.Error.WriteLine(expected ? $"error: {e.Message}" : $"error: {e.GetType().Name}: {e.Message}");
            if (Environment.GetEnvironmentVariable("AKKA_RLHF_DEBUG") == "1") Console.Error.WriteLine(e);
            return e is ConfigurationException ? BadSettings : 1;
        }
    }
}
