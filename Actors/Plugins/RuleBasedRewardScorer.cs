using AkkaRlhf.Actors.Messages;
using AkkaRlhf.Actors.Pipeline;
using AkkaRlhf.Actors.Roles;
using AkkaRlhf.Models;
using Akka.Actor;
using TorchSharp;
using static TorchSharp.torch;

namespace AkkaRlhf.Actors.Plugins;

/// <summary>
/// A plug-in reward: no model, a rule over the response's tokens. Each token in
/// <c>positive-words</c> adds <c>word-weight</c>, each in <c>negative-words</c> subtracts it, and a
/// response that never emits EOS loses <c>missing-eos-penalty</c>. Answers the same
/// <see cref="ScoreRewards"/> as the reward model, so it is selected with
/// <c>akka-rlhf.ppo.reward.type = rule-based</c> (see docs/plugins.md).
/// </summary>
public sealed class RuleBasedRewardScorer : RoleActor
{
    /// <summary>The rule's parameters (from the role's HOCON block).</summary>
    public sealed record Rule(IReadOnlySet<int> Positive, IReadOnlySet<int> Negative, double WordWeight, double MissingEosPenalty, int EosId);

    public static Props Props(RoleContext context)
    {
        var block = context.Settings.Block;
        var t = context.Models.Tokenizer;
        HashSet<int> Ids(string key) => block.GetStringList(key, []).SelectMany(w => Encode(w, key)).ToHashSet();
        int[] Encode(string word, string key)                                         // a bad word fails here, when the role is created
        {
            try { return t.Encode(word); }
            catch (ArgumentException e)
            {
                throw new Configuration.ConfigurationException(
                    $"akka-rlhf.ppo.{context.Role}.{key}: \"{word}\" is not in the tokenizer's vocabulary ({e.Message})", inner: e);
            }
        }
        var rule = new Rule(Ids("positive-words"), Ids("negative-words"), block.GetDouble("word-weight", 1.0),
            block.GetDouble("missing-eos-penalty", 1.0), t.EosId);
        return Props(rule);
    }

    public static Props Props(Rule rule) => Akka.Actor.Props.Create(() => new RuleBasedRewardScorer(rule));

    public RuleBasedRewardScorer(Rule rule) : base(CPU)
    {
        ReceiveBatch<ScoreRewards>(request =>
        {
            var scores = new float[request.Batch.Count];
            for (var b = 0; b < scores.Length; b++)
            {
                var (_, response) = request.Batch.Row(b);
                var score = response.Sum(id => rule.Positive.Contains((int)id) ? rule.WordWeight : rule.Negative.Contains((int)id) ? -rule.WordWeight : 0);
                if (!response.Contains(rule.EosId)) score -= rule.MissingEosPenalty;
                scores[b] = (float)score;
            }
            return new RewardScores(request.BatchId, torch.tensor(scores));
        });
    }
}
