using AkkaRlhf.Tests.Shared;
using System.Text;
using System.Text.Json;
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

    [Fact]
    public void Gpt2_bpe_must_produce_the_known_ids_of_gpt2()
    {
        var t = Gpt2Files.Tokenizer;
        Assert.Equal([15496, 995], t.Encode("Hello world"));
        Assert.Equal([262], t.Encode(" the"));
        Assert.Equal([40, 716, 257, 1332, 13], t.Encode("I am a test."));
        Assert.Equal(50257, t.VocabSize);
        Assert.Equal(50256, t.EosId);
        Assert.Equal(50256, t.PadId);
        Assert.Equal("Hello world<|endoftext|>", t.Decode([15496, 995, 50256]));
    }

    [Fact]
    public void Gpt2_bpe_must_round_trip_unicode_text()
    {
        var t = Gpt2Files.Tokenizer;
        var ids = t.Encode(Unicode);
        Assert.Equal(Unicode, t.Decode(ids));
        Assert.Equal(t.Encode("it's  spaced   out"), t.Encode("it's  spaced   out"));  // cache gives the same answer
        Assert.Equal("it's  spaced   out", t.Decode(t.Encode("it's  spaced   out")));
        Assert.Empty(t.Encode(""));
        Assert.Equal("", t.Decode([]));
    }

    [Fact]
    public void Gpt2_bpe_must_treat_endoftext_in_text_as_plain_text_and_skip_eos_on_request()
    {
        var t = Gpt2Files.Tokenizer;
        var ids = t.Encode("a<|endoftext|>b");
        Assert.DoesNotContain(t.EosId, ids);
        Assert.Equal("a<|endoftext|>b", t.Decode(ids));
        Assert.Equal("Hello world", t.Decode([15496, 995, 50256, 50256], skipSpecialTokens: true));
        Assert.Equal("Hello world<|endoftext|><|endoftext|>", t.Decode([15496, 995, 50256, 50256]));
    }

    [Fact]
    public void Gpt2_bpe_must_give_the_ids_of_the_librarys_tiktoken_gpt2_on_a_varied_corpus()
    {
        var ours = Gpt2Files.Tokenizer;
        var reference = Gpt2Files.Reference;
        var corpus = VariedCorpus();
        Assert.InRange(corpus.Count, 300, 400);
        foreach (var line in corpus)
        {
            var ids = ours.Encode(line);
            Assert.True(reference.EncodeToIds(line).SequenceEqual(ids), $"ids differ for {JsonSerializer.Serialize(line)}");
            Assert.Equal(line, ours.Decode(ids));
        }
        var all = string.Join("\n", corpus);
        Assert.Equal(reference.EncodeToIds(all), ours.Encode(all));
        // Concurrent callers (rollout workers) share one tokenizer: the library's cache must not mix them up.
        var parallel = new int[corpus.Count][];
        Parallel.For(0, corpus.Count, i => parallel[i] = ours.Encode(corpus[i]));
        Assert.All(Enumerable.Range(0, corpus.Count), i => Assert.Equal(ours.Encode(corpus[i]), parallel[i]));
    }

    [Theory]
    [InlineData("encoder.json", "vocab.bpe")]
    [InlineData("vocab.json", "merges.txt")]
    public void Gpt2_bpe_must_read_openai_and_hugging_face_folders(string vocabName, string mergesName)
    {
        var dir = Path.Combine(Path.GetTempPath(), "gpt2-bpe-" + Guid.NewGuid().ToString("N"));
        try
        {
            Assert.False(Gpt2BpeTokenizer.IsIn(dir));
            Gpt2Files.WriteTo(dir, vocabName, mergesName);
            Assert.True(Gpt2BpeTokenizer.IsIn(dir));
            var t = Gpt2BpeTokenizer.FromFolder(dir);
            Assert.Equal([15496, 995], t.Encode("Hello world"));
            Assert.Equal(Gpt2Files.EncoderJson, t.EncoderJson);
            Assert.Equal(Gpt2Files.VocabBpe, t.VocabBpe);
            File.Delete(Path.Combine(dir, mergesName));
            Assert.False(Gpt2BpeTokenizer.IsIn(dir));
            Assert.Throws<FileNotFoundException>(() => Gpt2BpeTokenizer.FromFolder(dir));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Gpt2_bpe_must_reject_bad_files_and_unknown_ids_clearly()
    {
        var vocab = JsonSerializer.Deserialize<Dictionary<string, int>>(Gpt2Files.EncoderJson)!;
        var bad = Assert.Throws<FormatException>(() => new Gpt2BpeTokenizer(Gpt2Files.EncoderJson, Gpt2Files.VocabBpe + "a b c\n"));
        Assert.Contains("bad merge line \"a b c\"", bad.Message);

        vocab.Remove("<|endoftext|>");
        var noEos = Assert.Throws<FormatException>(() => new Gpt2BpeTokenizer(JsonSerializer.Serialize(vocab), Gpt2Files.VocabBpe));
        Assert.Contains("<|endoftext|>", noEos.Message);

        vocab = JsonSerializer.Deserialize<Dictionary<string, int>>(Gpt2Files.EncoderJson)!;
        vocab.Remove("Ġ");  // the space byte
        var noByte = Assert.Throws<FormatException>(() => new Gpt2BpeTokenizer(JsonSerializer.Serialize(vocab), Gpt2Files.VocabBpe));
        Assert.Contains("byte 0x20", noByte.Message);

        var unfit = Assert.Throws<FormatException>(() => new Gpt2BpeTokenizer(Gpt2Files.EncoderJson, Gpt2Files.VocabBpe + "Ġ zzqx\n"));
        Assert.Contains("zzqx", unfit.Message);

        var t = Gpt2Files.Tokenizer;
        Assert.Throws<ArgumentOutOfRangeException>(() => t.Decode([15496, 50257]));
        Assert.Throws<ArgumentOutOfRangeException>(() => t.Decode([-1]));
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

    /// <summary>
    /// About 300 lines: hand-picked cases, then seeded random mixes of words, contractions, numbers,
    /// punctuation, runs of spaces, tabs and newlines, non-Latin scripts and emoji.
    /// </summary>
    private static List<string> VariedCorpus()
    {
        List<string> lines =
        [
            "Hello world", "I am a test.", " the", "", " ", "  ", "\n", "\r\n", "\t", "a\n\n\nb", "   leading", "trailing   ",
            "it's its' it ' s", "I'm, you're, we've, they'll, she'd, don't, can't, won't", "IT'S I'M YOU'RE", "rock 'n' roll",
            "‘curly’ “quotes” and ’s", "12345678 3.14159 -0.5 1,000,000 1e-10 0xFF 2024-06-01 +44 (0)20 7946 0958",
            "... ?! !!! ??? -- --- ((())) [[ ]] {{ }} <> << >> === !== && || ~~ ^^", "#include <stdio.h>\nint main(void) { return 0; }",
            "def f(x):\n    return x ** 2  # square\n", "{\"key\": [1, 2.5, null, true], \"nested\": {\"a\": \"b\"}}",
            "https://example.com/path?q=1&r=two#frag user@example.org", "| col | col |\n|-----|-----|\n| 1   | 2   |",
            "Привет, мир! Как дела?", "Γειά σου Κόσμε", "مرحبا بالعالم", "שלום עולם", "नमस्ते दुनिया", "สวัสดีชาวโลก",
            "你好，世界。今天天气很好！", "こんにちは、世界。カタカナ ひらがな 漢字", "안녕하세요 세계", "Ελληνικά, русский, 中文, 日本語, 한국어",
            "🎉🎉🎉", "👍🏽 👋🏿 ✌️", "👨‍👩‍👧‍👦 🏳️‍🌈 🇯🇵 🇺🇸", "1️⃣ #️⃣ ©️ ®️ ™️", "e\u0301 n\u0303 a\u030A", "x\u00A0y\u200Bz\u2009w",
            "𝐀𝐁𝐂 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𝟙𝟚𝟛", "½ ¾ ⅓ ∞ ≠ ≤ ≥ ∑ ∫ √ π", "Grüße, 世界! 🎉 naïve café — ½ \t\n end", "      \n      \n",
            "a  b   c    d     e", "tab\tseparated\tvalues\t", "mixed \t \n \r\n whitespace", "CamelCaseWordsAndsnake_case_words",
        ];

        string[] words =
        [
            "the", "quick", "brown", "fox", "jumps", "over", "lazy", "dog", "Reinforcement", "learning", "from", "human",
            "feedback", "policy", "gradient", "KL", "PPO", "reward", "model", "token", "naïve", "café", "résumé", "Zürich",
            "straße", "ﬁne", "AKKA", "actor", "cluster", "GPU", "x", "I", "a",
        ];
        string[] contractions = ["'s", "'t", "'re", "'ve", "'m", "'ll", "'d", "n't", "'S", "'LL", "’s"];
        string[] numbers = ["0", "7", "42", "2024", "3.14", "1,000", "1_000_000", "99%", "$5.00", "€12,50", "-17", "10^9", "1/2", "٣", "४२", "三"];
        string[] punctuation = [".", ",", "!", "?", "...", ";", ":", "-", "--", "—", "(", ")", "[", "]", "{", "}", "\"", "'", "`", "@", "#", "%", "&", "*", "/", "\\", "|", "<", ">", "=", "+", "_", "~", "^"];
        string[] scripts =
        [
            "мир", "Москва", "λόγος", "Ω", "كتاب", "עברית", "हिन्दी", "ภาษาไทย", "汉字", "東京", "ひらがな", "カタカナ", "한글", "ქართული",
            "Հայերեն", "አማርኛ", "ᚠᚢᚦ",
        ];
        string[] emoji = ["🙂", "🎉", "🚀", "❤️", "👍🏻", "🤖", "🧠", "👩‍💻", "🇫🇷", "🐍", "✨", "🔥", "☕", "⚡", "🫠"];
        string[] separators = [" ", " ", " ", "", "  ", "   ", "\t", "\n", "\n\n", " \n", "\n ", "\r\n", ", ", ". "];
        string[][] pools = [words, words, words, contractions, numbers, punctuation, scripts, emoji];

        var random = new Random(1234);
        while (lines.Count < 320)
        {
            var line = new StringBuilder();
            var parts = random.Next(3, 14);
            for (var i = 0; i < parts; i++)
            {
                var pool = pools[random.Next(pools.Length)];
                line.Append(pool[random.Next(pool.Length)]);
                if (random.Next(3) > 0) line.Append(separators[random.Next(separators.Length)]);
            }
            lines.Add(line.ToString());
        }
        return lines;
    }
}
