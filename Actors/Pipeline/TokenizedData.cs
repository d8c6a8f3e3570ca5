using AkkaRlhf.Actors.Messages;
using AkkaRlhf.Models;
using AkkaRlhf.Models.Data;

namespace AkkaRlhf.Actors.Pipeline;

/// <summary>A prompt and one response as token ids (the response ends with EOS).</summary>
public sealed record TokenPair(int[] Prompt, int[] Response);

/// <summary>A preference pair as token ids.</summary>
public sealed record TokenPreference(int[] Prompt, int[] Chosen, int[] Rejected);

/// <summary>K candidates with the labelled best, as token ids.</summary>
public sealed record TokenRanking(int[] Prompt, int[][] Responses, int Best);

/// <summary>Turns the JSONL records into token ids with a chat template, and token rows into batches.</summary>
public static class TokenizedData
{
    private static int[] Response(ITokenizer t, ChatTemplate template, string prompt, string response)
    {
        var e = template.Encode(t, prompt, response);
        return e.Ids[e.PromptLength..];
    }

    public static List<TokenPair> Sft(IEnumerable<SftExample> data, ITokenizer t, ChatTemplate template) =>
        data.Select(e => new TokenPair(template.EncodePrompt(t, e.Prompt), Response(t, template, e.Prompt, e.Response))).ToList();

    public static List<TokenPreference> Preferences(IEnumerable<PreferenceExample> data, ITokenizer t, ChatTemplate template) =>
        data.Select(e => new TokenPreference(template.EncodePrompt(t, e.Prompt),
            Response(t, template, e.Prompt, e.Chosen), Response(t, template, e.Prompt, e.Rejected))).ToList();

    public static List<TokenRanking> Rankings(IEnumerable<RankingExample> data, ITokenizer t, ChatTemplate template) =>
        data.Select(e => new TokenRanking(template.EncodePrompt(t, e.Prompt),
            e.Responses.Select(r => Response(t, template, e.Prompt, r)).ToArray(), e.Best)).ToList();

    /// <summary>Prompt + response rows as a <see cref="SequenceBatch"/>.</summary>
    public static SequenceBatch Batch(IReadOnlyList<int[]> prompts, IReadOnlyList<int[]> responses, int padId) =>
        SequenceBatch.From(prompts.Select(p => (IReadOnlyList<int>)p).ToList(), responses.Select(r => (IReadOnlyList<int>)r).ToList(), padId);
}
