using AkkaRlhf.Tests.Shared;
using Xunit.Abstractions;

namespace AkkaRlhf.Resume.Tests;

/// <summary>
/// A real crash: <c>akka-rlhf train ppo|dpo</c> runs as a child process, is killed with SIGKILL once its journal shows
/// some completed iterations (PPO: 1, before the first checkpoint; 4, just after one; 9, between two; DPO: 2 steps), and
/// <c>train ppo|dpo --resume</c> finishes it. Its journal's metric stream (each iteration's latest record) must equal an
/// uninterrupted run's, value by value (timings t_* aside). The journal is the run folder's SQLite file here, and a real
/// PostgreSQL server in <see cref="PostgreSqlKillAndResumeSpecs"/>.
/// </summary>
public abstract class KillAndResumeSpecs(ITestOutputHelper output, string? postgreSql) : IDisposable
{
    private readonly CliHarness _cli = new(output, postgreSql);

    public void Dispose() => _cli.Dispose();

    private static string Config(string stages) => TinyCliConfig.Hocon(stages + "\ncheckpoint { every = 2, keep-last = 2 }");

    [Fact]
    public async Task A_train_ppo_process_killed_with_sigkill_and_resumed_must_journal_exactly_the_metrics_of_an_uninterrupted_run()
    {
        const int iterations = 60;                  // enough that a kill after 9 still lands mid-run (an iteration is ~30 ms)
        var config = await _cli.Prepare(Config($$"""
            rm { steps = 4, batch-size = 8 }
            ppo { iterations = {{iterations}}, prompts-per-iteration = 32, mode = sync, generator { pool-size = 2, max-new-tokens = 6 } }
            """));
        await _cli.Run("train", "sft", "--config", config, "--out", "sft");
        await _cli.Run("train", "rm", "--config", config, "--sft", "sft/model", "--out", "rm");
        await _cli.KillResumeAndCompare("ppo", ["train", "ppo", "--config", config, "--sft", "sft/model", "--rm", "rm/model", "--out"], iterations, 1, 4, 9);
    }

    [Fact]
    public async Task A_train_dpo_process_killed_with_sigkill_and_resumed_must_journal_exactly_the_metrics_of_an_uninterrupted_run()
    {
        const int steps = 120;
        var config = await _cli.Prepare(Config($$"""
            dpo { steps = {{steps}}, batch-size = 8, beta = 0.2, loss = ipo }
            """));
        await _cli.Run("train", "sft", "--config", config, "--out", "sft");
        await _cli.KillResumeAndCompare("dpo", ["train", "dpo", "--config", config, "--sft", "sft/model", "--out"], steps, 2);
    }
}

/// <summary>The crashes with the run folder's SQLite journal.</summary>
public sealed class SqliteKillAndResumeSpecs(ITestOutputHelper output) : KillAndResumeSpecs(output, null);

/// <summary>The same crashes with the run journal on a real PostgreSQL server (started by the specs).</summary>
[Collection(Persistence.Tests.Support.PostgreSqlCollection.Name)]
public sealed class PostgreSqlKillAndResumeSpecs(ITestOutputHelper output, Persistence.Tests.Support.PostgreSqlServer server)
    : KillAndResumeSpecs(output, server.ConnectionString.Length > 0 ? server.ConnectionString
        : throw new InvalidOperationException(Persistence.Tests.Support.PostgreSqlServer.SkipReason));
