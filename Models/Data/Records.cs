using System.Text.Json;

namespace AkkaRlhf.Models.Data;

/// <summary>
/// A record type that has a JSONL form: parsed from one row (throwing <see cref="DatasetException"/>
/// for a bad field, via <see cref="JsonlRow"/>) and written as one JSON object.
/// Implement it to give <see cref="JsonlDataset"/> a new format.
/// </summary>
public interface IJsonlRecord<TSelf> where TSelf : IJsonlRecord<TSelf>
{
    /// <summary>Parses and validates one row.</summary>
    static abstract TSelf FromJson(JsonlRow row);

    /// <summary>Writes this record as one JSON object.</summary>
    void WriteJson(Utf8JsonWriter writer);
}

/// <summary>Supervised fine-tuning pair: <c>{"prompt": "...", "response": "..."}</c>.</summary>
public sealed record SftExample(string Prompt, string Response) : IJsonlRecord<SftExample>
{
    public static SftExample FromJson(JsonlRow row) => new(row.String("prompt"), row.String("response"));

    public void WriteJson(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("prompt", Prompt);
        writer.WriteString("response", Response);
        writer.WriteEndObject();
    }
}

/// <summary>Pairwise preference: <c>{"prompt": "...", "chosen": "...", "rejected": "..."}</c>.</summary>
public sealed record PreferenceExample(string Prompt, string Chosen, string Rejected) : IJsonlRecord<PreferenceExample>
{
    public static PreferenceExample FromJson(JsonlRow row) => new(row.String("prompt"), row.String("chosen"), row.String("rejected"));

    public void WriteJson(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("prompt", Prompt);
        writer.WriteString("chosen", Chosen);
        writer.WriteString("rejected", Rejected);
        writer.WriteEndObject();
    }
}

/// <summary>
/// K-way ranking with the labelled best: <c>{"prompt": "...", "responses": ["...", "..."], "best": 1}</c>;
/// at least 2 responses, <c>best</c> an index into them.
/// </summary>
public sealed record RankingExample(string Prompt, IReadOnlyList<string> Responses, int Best) : IJsonlRecord<RankingExample>
{
    public static RankingExample FromJson(JsonlRow row)
    {
        var prompt = row.String("prompt");
        var responses = row.Strings("responses", minCount: 2);
        var best = row.Int("best");
        if (best < 0 || best >= responses.Length)
            throw JsonlRow.Fail("best", $"out of range: {best} (responses has {responses.Length})");
        return new RankingExample(prompt, responses, best);
    }

    public void WriteJson(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("prompt", Prompt);
        writer.WriteStartArray("responses");
        foreach (var r in Responses) writer.WriteStringValue(r);
        writer.WriteEndArray();
        writer.WriteNumber("best", Best);
        writer.WriteEndObject();
    }

    /// <summary>Value equality including the responses' contents.</summary>
    public bool Equals(RankingExample? other) =>
        other is not null && Prompt == other.Prompt && Best == other.Best && Responses.SequenceEqual(other.Responses);

    public override int GetHashCode()
    {
        var h = new HashCode();
        h.Add(Prompt);
        h.Add(Best);
        foreach (var r in Responses) h.Add(r);
        return h.ToHashCode();
    }
}

/// <summary>A prompt for online RL (PPO, GRPO, ...): <c>{"prompt": "..."}</c>.</summary>
public sealed record PromptExample(string Prompt) : IJsonlRecord<PromptExample>
{
    public static PromptExample FromJson(JsonlRow row) => new(row.String("prompt"));

    public void WriteJson(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("prompt", Prompt);
        writer.WriteEndObject();
    }
}
