using AkkaRlhf.Configuration;
using AkkaRlhf.Models;

namespace AkkaRlhf.Actors.Pipeline;

/// <summary>A <c>lora { rank, alpha, dropout, targets }</c> block (<c>akka-rlhf.dpo.lora</c>, <c>akka-rlhf.ppo.lora</c>).</summary>
internal static class LoraSettings
{
    /// <summary>The block <paramref name="c"/> found at <paramref name="path"/>: null when its rank is 0 (full fine-tuning).</summary>
    public static LoraConfig? FromConfig(Config c, string path)
    {
        var rank = c.GetInt("rank");
        if (rank == 0) return null;
        try { return new LoraConfig(rank, c.GetDouble("alpha"), c.GetDouble("dropout"), c.GetStringList("targets")).Validate(); }
        catch (ArgumentException e)
        {
            var key = $"{path}.{e.ParamName}";
            var origin = c.GetValue(e.ParamName ?? "rank")?.Origin;
            throw new ConfigurationException($"{origin}: {key}: {e.Message.Replace($" (Parameter '{e.ParamName}')", "")}", origin, key);
        }
    }
}
