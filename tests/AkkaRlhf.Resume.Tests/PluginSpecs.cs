using AkkaRlhf.Tests.Shared;
using Xunit.Abstractions;

namespace AkkaRlhf.Resume.Tests;

/// <summary>
/// A plug-in role from another assembly, end to end through the CLI as docs/plugins.md shows it: the sample reward
/// (tests/AkkaRlhf.Plugin.Sample, NOT beside the CLI) is loaded by <c>akka-rlhf.plugins</c>, named by its
/// assembly-qualified type in <c>akka-rlhf.ppo.reward.type</c>, configured by a key of its own reference.conf, and
/// scores every PPO batch: the journaled reward equals its closed form, per-token x the mean response length.
/// </summary>
public sealed class PluginSpecs(ITestOutputHelper output) : IDisposable
{
    private readonly CliHarness _cli = new(output);

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task A_reward_role_of_another_assembly_must_score_a_train_ppo_run_through_its_own_settings()
    {
        var plugin = SampleAssembly();
        var config = await _cli.Prepare(TinyCliConfig.Hocon($$"""
            plugins = ["{{plugin}}"]
            ppo {
              iterations = 3, prompts-per-iteration = 16, generator { pool-size = 1, max-new-tokens = 6 }
              reward { type = "AkkaRlhf.Plugin.Sample.LengthReward, AkkaRlhf.Plugin.Sample", per-token = 0.25 }
            }
            """));
        await _cli.Run("train", "sft", "--config", config, "--out", "sft");
        await _cli.Run("train", "ppo", "--config", config, "--sft", "sft/model", "--out", "ppo");
        var run = (await _cli.Journal(Path.Combine(_cli.Dir, "ppo"), "ppo.ppo"))!;
        Assert.Equal(3, run.Iterations.Count);
        foreach (var it in run.Iterations)
            Assert.Equal(0.25 * it.Metrics["response_length"], it.Metrics["reward"], 4);
        Assert.False(File.Exists(Path.Combine(AppContext.BaseDirectory, "AkkaRlhf.Plugin.Sample.dll")));     // only the setting brought it in
    }

    /// <summary>The sample plug-in's build output (bin/ of its project, or the artifacts folder).</summary>
    private static string SampleAssembly()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "AkkaRlhf.sln"))) root = Path.GetDirectoryName(root.TrimEnd('/'))
            ?? throw new DirectoryNotFoundException("the repository root (AkkaRlhf.sln) above the test binaries");
        var artifacts = Environment.GetEnvironmentVariable("AKKA_RLHF_ARTIFACTS");
        var folders = new[] { Path.Combine(root, "tests", "AkkaRlhf.Plugin.Sample", "bin"), artifacts is null ? "" : Path.Combine(artifacts, "bin", "AkkaRlhf.Plugin.Sample") };
        return folders.Where(Directory.Exists)
            .SelectMany(f => Directory.GetFiles(f, "AkkaRlhf.Plugin.Sample.dll", SearchOption.AllDirectories))
            .OrderByDescending(File.GetLastWriteTimeUtc).FirstOrDefault()
            ?? throw new FileNotFoundException("AkkaRlhf.Plugin.Sample.dll: build tests/AkkaRlhf.Plugin.Sample first");
    }
}
