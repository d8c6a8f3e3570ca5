namespace AkkaRlhf.Tests.Shared;

/// <summary>
/// The configuration of the specs that run the CLI as processes: a one-layer model and the synthetic data that
/// <c>akka-rlhf demo --write-data data</c> writes into the working folder. Linked into each such test project.
/// </summary>
internal static class TinyCliConfig
{
    /// <summary>The tiny model.</summary>
    public const string Model = "n-layer = 1, n-head = 2, n-embd = 16, block-size = 32";

    /// <summary><c>akka-rlhf { ... }</c> with seed 11, <paramref name="model"/>, the data files, a 4-step SFT and <paramref name="stages"/> (more blocks of <c>akka-rlhf</c>).</summary>
    public static string Hocon(string stages, string model = Model) => $$"""
        akka-rlhf {
          seed = 11
          model { {{model}} }
          data {
            vocab = "data/vocab.txt"
            sft = "data/sft_train.jsonl"
            prompts = "data/prompts_train.jsonl"
            preferences = "data/prefs_train.jsonl"
            preferences-eval = "data/prefs_eval.jsonl"
          }
          sft { steps = 4, batch-size = 8 }
          {{stages}}
        }
        """;
}
