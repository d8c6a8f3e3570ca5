using AkkaRlhf.Models.Data;

namespace AkkaRlhf.Actors.Messages;

/// <summary>Asks the <c>PromptSource</c> for the next <paramref name="Count"/> prompts.</summary>
public sealed record RequestPrompts(long BatchId, int Count) : IBatchMessage;

/// <summary>Prompts as text and as token ids (formatted with the chat template), and where the source now stands.</summary>
public sealed record PromptBatch(long BatchId, IReadOnlyList<string> Texts, IReadOnlyList<int[]> Tokens, DataCursor Cursor) : IBatchMessage
{
    [System.Text.Json.Serialization.JsonIgnore] public int Count => Texts.Count;
}
