using AkkaRlhf.Configuration;

namespace AkkaRlhf.Actors.Pipeline;

/// <summary>Every stage's settings, read from the <c>akka-rlhf</c> block of the configuration.</summary>
public sealed record PipelineSettings(long Seed, int TorchThreads, ModelSettings Model, SftSettings Sft, RewardModelSettings RewardModel,
    PpoSettings Ppo, DpoSettings Dpo, int EvalPrompts, double EvalTemperature)
{
    public const string Root = "akka-rlhf";

    /// <summary>
    /// Reads <c>akka-rlhf.*</c> once; absent keys take the defaults of this assembly's reference.conf, the only place
    /// they are written.
    /// </summary>
    public static PipelineSettings FromConfig(Config config)
    {
        var c = config.WithFallback(Reference).GetConfig(Root);
        var seed = c.GetLong("seed");
        return new PipelineSettings(seed, c.GetInt("torch-threads"),
            ModelSettings.FromConfig(c.GetConfig("model")), SftSettings.FromConfig(c.GetConfig("sft")),
            RewardModelSettings.FromConfig(c.GetConfig("rm")), PpoSettings.FromConfig(c.GetConfig("ppo"), seed),
            DpoSettings.FromConfig(c.GetConfig("dpo")), c.GetInt("eval.prompts"), c.GetDouble("eval.temperature"));
    }

    /// <summary>This assembly's reference.conf (the defaults).</summary>
    public static Config Reference => ConfigurationFactory.FromResource(typeof(PipelineSettings).Assembly);
}
