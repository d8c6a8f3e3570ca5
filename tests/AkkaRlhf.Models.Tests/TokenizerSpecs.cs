using AkkaRlhf.Models;

namespace AkkaRlhf.Models.Tests;

public class TokenizerSpecs
{
    private const string Unicode = "Grüße, 世界! 🎉 naïve café — ½ \t\n end";

    [Fact]
    public void Byte_tokenizer_must_round_trip_arbitrary_unicode()
    {
        var t = new ByteTokenizer();
        var ids = t.Encode(Unicode);
        Assert.All(ids, id => Assert.InRange(id, 0, 255));
        Assert.Equal(Unicode, t.Decode(ids));
        Assert.Equal("hi<|endoftext|>", t.Decode([.. t.Encode("hi"), t.EosId, t.PadId], skipSpecialTokens: false).Replace("<|pad|>", ""));
        Assert.Equal("hi", t.Decode([.. t.Encode("hi"), t.EosId, t.PadId], skipSpecialTokens: true));
        Assert.Equal(258, t.VocabSize);
    }

    [Gpt2FilesFact]
    public void Gpt2_bpe_must_produce_the_known_ids_of_gpt2()
    {
        var t = Gpt2BpeTokenizer.FromFolder(Gpt2Files.Folder.dir!);
        Assert.Equal([15496, 995], t.Encode("Hello world"));
        Assert.Equal([262], t.Encode(" the"));
        Assert.Equal([40, 716, 257, 1332, 13], t.Encode("I am a test."));
        Assert.Equal(50257, t.VocabSize);
        Assert.Equal(50256, t.EosId);
        Assert.Equal("Hello world<|endoftext|>", t.Decode([15496, 995, 50256]));
    }

    [Gpt2FilesFact]
    public void Gpt2_bpe_must_round_trip_unicode_text()
    {
        var t = Gpt2BpeTokenizer.FromFolder(Gpt2Files.Folder.dir!);
        var ids = t.Encode(Unicode);
        Assert.Equal(Unicode, t.Decode(ids));
        Assert.Equal(t.Encode("it's  spaced   out"), t.Encode("it's  spaced   out"));  // cache gives the same answer
        Assert.Equal("it's  spaced   out", t.Decode(t.Encode("it's  spaced   out")));
    }

    [Fact]
    public void Chat_template_must_mask_the_prompt_and_keep_the_response_and_eos()
    {
        var t = new ByteTokenizer();
        var chat = new ChatTemplate();
        var ex = chat.Encode(t, "2+2?", "4");
        var prompt = t.Encode("User: 2+2?\nAssistant: ");
        Assert.Equal(prompt.Length, ex.PromptLength);
        Assert.Equal([.. prompt, (int)'4', t.EosId], ex.Ids);
        Assert.Equal([.. Enumerable.Repeat(0, prompt.Length), 1, 1], ex.ResponseMask);
        Assert.Equal(prompt, chat.EncodePrompt(t, "2+2?"));
    }
}
