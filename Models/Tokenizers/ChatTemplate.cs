namespace AkkaRlhf.Models;

/// <summary>Token ids of a prompt/response pair and which of them SFT trains on.</summary>
/// <param name="Ids">Prompt tokens, then response tokens, then EOS (if appended).</param>
/// <param name="ResponseMask">1 for response tokens (and the EOS), 0 for prompt tokens; same length as Ids.</param>
/// <param name="PromptLength">Number of prompt tokens (the response starts at this index).</param>
public sealed record ChatExample(int[] Ids, int[] ResponseMask, int PromptLength);

/// <summary>
/// The prompt/response format of chat data: <c>{UserPrefix}{prompt}{AssistantPrefix}{response}&lt;eos&gt;</c>.
/// The prompt part (through the assistant prefix) and the response are tokenized separately, so the
/// mask boundary is exact with any tokenizer, and generation starts from <see cref="FormatPrompt"/>.
/// </summary>
public sealed record ChatTemplate(string UserPrefix = "User: ", string AssistantPrefix = "\nAssistant: ", bool AppendEos = true)
{
    /// <summary>The text a model is prompted with (generation continues after it).</summary>
    public string FormatPrompt(string prompt) => UserPrefix + prompt + AssistantPrefix;

    /// <summary>Ids of the formatted prompt.</summary>
    public int[] EncodePrompt(ITokenizer tokenizer, string prompt) => tokenizer.Encode(FormatPrompt(prompt));

    /// <summary>Ids of prompt and response with the response mask (SFT masks the prompt).</summary>
    public ChatExample Encode(ITokenizer tokenizer, string prompt, string response)
    {
        var p = EncodePrompt(tokenizer, prompt);
        var r = tokenizer.Encode(response);
        if (AppendEos) r = [.. r, tokenizer.EosId];
        int[] mask = [.. Enumerable.Repeat(0, p.Length), .. Enumerable.Repeat(1, r.Length)];
        return new ChatExample([.. p, .. r], mask, p.Length);
    }
}
