using System.Diagnostics;

namespace AkkaRlhf.Resume.Tests;

/// <summary>
/// A bad setting ends the CLI before any training, with exit code 2 and one error line naming the key,
/// the value and where it was set. These once trained SFT and the reward model and then waited forever
/// (the PPO role read its block in its constructor and the coordinator waited on a 12-hour ask).
/// </summary>
public sealed class BadSettingsSpecs
{
    [Theory]
    [InlineData("akka-rlhf.ppo.learner.loss=clipp", "akka-rlhf.ppo.learner.loss = \"clipp\" must be clip or penalty")]
    [InlineData("akka-rlhf.ppo.generator.max-new-tokens=abc", "'max-new-tokens' should be")]
    [InlineData("akka-rlhf.ppo.kl.estimator=k9", "akka-rlhf.ppo.kl.estimator = \"k9\" must be k1, k2 or k3")]
    [InlineData("akka-rlhf.ppo.mode=sometimes", "akka-rlhf.ppo.mode = \"sometimes\" must be sync or async")]
    [InlineData("akka-rlhf.ppo.critic.device=\"cuda:0\"", "device \"cuda:0\" was asked for, but CUDA is not available")]
    [InlineData("akka-rlhf.ppo.critic.device=cuda:0", "':' is reserved outside quotes")]                       // malformed HOCON in --set
    [InlineData("akka-rlhf.ppo.learner.lrr=3", "unknown setting akka-rlhf.ppo.learner.lrr (did you mean akka-rlhf.ppo.learner.lr?)")]
    [InlineData("akka-rlhf.plugins=[\"no-such-plugin.dll\"]", "akka-rlhf.plugins: \"no-such-plugin.dll\" is not a file")]
    [InlineData("akka-rlhf.ppo.iterations=-4", "akka-rlhf.ppo.iterations = -4 must be >= 1")]                     // out of range
    public async Task A_bad_setting_must_end_the_demo_before_any_training_with_exit_code_2(string setting, string expected)
    {
        var dir = Path.Combine(Path.GetTempPath(), "akka-rlhf-bad-" + Guid.NewGuid().ToString("N"));
        try
        {
            var (code, stdout, stderr) = await CliAsync(dir, "demo", "--out", Path.Combine(dir, "run"), "--set", setting);
            Assert.Equal(2, code);
            var error = Assert.Single(stderr, l => l.StartsWith("error: ", StringComparison.Ordinal));
            Assert.Contains(expected, error);
            if (!expected.StartsWith("device", StringComparison.Ordinal)) Assert.Contains($"override #1 '{setting}'", error); // where it was set
            Assert.DoesNotContain(stdout, l => l.Contains("sft: started", StringComparison.Ordinal));          // nothing trained
            Assert.False(Directory.Exists(Path.Combine(dir, "run", "sft")));
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData("missing", null, "configuration file '{dir}/missing.conf' not found")]
    [InlineData("malformed", "akka-rlhf { ppo { iterations = 3\n", "{dir}/user.conf:1:17: '{' is never closed")]
    [InlineData("bad include", "include required(\"nope.conf\")\nakka-rlhf.seed = 3\n", "{dir}/user.conf:1:1: required include 'nope.conf' not found")]
    [InlineData("bad value", "akka-rlhf.ppo.learner.loss = clipp\n", "{dir}/user.conf:1:30: akka-rlhf.ppo.learner.loss = \"clipp\"")]
    [InlineData("bad environment", null, "environment variable AKKA_RLHF__akka-rlhf__ppo__kl__estimator:1:30: akka-rlhf.ppo.kl.estimator = \"k7\"")]
    public async Task A_bad_user_file_or_environment_override_must_end_the_demo_with_exit_code_2_naming_file_and_line(string kind, string? file, string expected)
    {
        var dir = Path.Combine(Path.GetTempPath(), "akka-rlhf-bad-" + Guid.NewGuid().ToString("N"));
        try
        {
            Directory.CreateDirectory(dir);
            var config = Path.Combine(dir, kind == "missing" ? "missing.conf" : "user.conf");
            if (file is not null) File.WriteAllText(config, file);
            var environment = kind == "bad environment" ? ("AKKA_RLHF__akka-rlhf__ppo__kl__estimator", "k7") : default((string, string)?);
            var args = kind == "bad environment" ? new[] { "demo", "--out", Path.Combine(dir, "run") } : ["demo", "--out", Path.Combine(dir, "run"), "--config", config];
            var (code, stdout, stderr) = await CliAsync(dir, environment, args);
            Assert.Equal(2, code);
            Assert.Contains(expected.Replace("{dir}", dir, StringComparison.Ordinal), Assert.Single(stderr, l => l.StartsWith("error: ", StringComparison.Ordinal)));
            Assert.DoesNotContain(stdout, l => l.Contains("sft: started", StringComparison.Ordinal));
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task A_missing_model_or_data_path_must_end_train_with_exit_code_2_naming_the_option_or_key()
    {
        var dir = Path.Combine(Path.GetTempPath(), "akka-rlhf-bad-" + Guid.NewGuid().ToString("N"));
        try
        {
            Directory.CreateDirectory(dir);
            var prompts = Path.Combine(dir, "prompts.jsonl");
            File.WriteAllText(prompts, "{\"prompt\": \"a b\"}\n");
            var sft = Path.Combine(dir, "no-such-sft");
            var (code, stdout, stderr) = await CliAsync(dir, "train", "ppo", "--sft", sft, "--out", Path.Combine(dir, "run"), "--set", $"akka-rlhf.data.prompts=\"{prompts}\"");
            Assert.Equal(2, code);
            Assert.Contains($"--sft {sft}: no such folder", Assert.Single(stderr, l => l.StartsWith("error: ", StringComparison.Ordinal)));
            Assert.DoesNotContain(stdout, l => l.Contains("ppo: started", StringComparison.Ordinal));

            var missing = Path.Combine(dir, "missing.jsonl");
            (code, _, stderr) = await CliAsync(dir, "train", "ppo", "--sft", sft, "--out", Path.Combine(dir, "run"), "--set", $"akka-rlhf.data.prompts=\"{missing}\"");
            Assert.Equal(2, code);
            Assert.Contains($"override #1 'akka-rlhf.data.prompts=\"{missing}\"':1:24: akka-rlhf.data.prompts = \"{missing}\": no such file",
                Assert.Single(stderr, l => l.StartsWith("error: ", StringComparison.Ordinal)));
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    private static Task<(int Code, List<string> Stdout, List<string> Stderr)> CliAsync(string dir, params string[] args) => CliAsync(dir, null, args);

    private static async Task<(int Code, List<string> Stdout, List<string> Stderr)> CliAsync(string dir, (string Name, string Value)? variable, params string[] args)
    {
        Directory.CreateDirectory(dir);
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = dir };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "akka-rlhf.dll"));
        foreach (var a in args) info.ArgumentList.Add(a);
        if (variable is { } v) info.Environment[v.Name] = v.Value;
        using var p = Process.Start(info)!;
        var (stdout, stderr) = (p.StandardOutput.ReadToEndAsync(), p.StandardError.ReadToEndAsync());
        using var hang = new CancellationTokenSource(TimeSpan.FromSeconds(60));                         // a hang fails the spec, not the run
        try { await p.WaitForExitAsync(hang.Token); }
        catch (OperationCanceledException) { p.Kill(entireProcessTree: true); throw new TimeoutException($"akka-rlhf {string.Join(' ', args)} did not end"); }
        return (p.ExitCode, Lines(await stdout), Lines(await stderr));
    }

    private static List<string> Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToList();
}
