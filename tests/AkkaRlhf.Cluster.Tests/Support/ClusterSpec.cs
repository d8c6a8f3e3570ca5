using System.Net;
using System.Net.Sockets;
using Xunit.Abstractions;

namespace AkkaRlhf.Cluster.Tests.Support;

/// <summary>
/// Base of the multi-process specs: CLI processes (cluster members, commands) that are all stopped on dispose (also when
/// the spec fails), with the last lines of each written to the test output.
/// </summary>
public abstract class ClusterSpec(ITestOutputHelper output) : IDisposable
{
    private readonly List<NodeProcess> _processes = [];

    protected ITestOutputHelper Output { get; } = output;

    /// <summary>The CLI (akka-rlhf.dll) in its own process, stopped on dispose; see <see cref="NodeProcess.StartCliAsync"/>.</summary>
    protected async Task<NodeProcess> StartCliAsync(string name, string workDir, string? readyPrefix, params string[] args)
    {
        var process = await NodeProcess.StartCliAsync(name, workDir, readyPrefix, args);
        _processes.Add(process);
        return process;
    }

    /// <summary>Runs the CLI command <paramref name="args"/> in <paramref name="workDir"/> to its end (at most 4 minutes); fails with its output unless it exits 0.</summary>
    protected async Task RunCliAsync(string workDir, params string[] args)
    {
        var cli = await StartCliAsync(string.Join(' ', args.Take(2)), workDir, null, args);
        Assert.True(await cli.WaitForExitAsync(TimeSpan.FromMinutes(4)) == 0, $"akka-rlhf {string.Join(' ', args)} failed:\n{string.Join('\n', cli.Lines.TakeLast(30))}");
    }

    /// <summary>
    /// Writes the synthetic data into <paramref name="workDir"/> (<c>data/</c>) and trains the SFT and reward-model checkpoints
    /// (<c>sft/model</c>, <c>rm/model</c>) with the configuration file <paramref name="config"/> there.
    /// </summary>
    protected async Task TrainCheckpointsAsync(string workDir, string config)
    {
        await RunCliAsync(workDir, "demo", "--write-data", "data");
        await RunCliAsync(workDir, "train", "sft", "--config", config, "--out", "sft");
        await RunCliAsync(workDir, "train", "rm", "--config", config, "--sft", "sft/model", "--out", "rm");
    }

    /// <summary>A free TCP port on loopback (for a seed member).</summary>
    protected static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public virtual void Dispose()
    {
        foreach (var p in _processes)
        {
            Output.WriteLine($"--- {p.Hostname} output (last 30 lines) ---\n{string.Join('\n', p.Lines.TakeLast(30))}");
            p.Dispose();
        }
    }
}
