namespace AkkaRlhf.Models.Synthetic;

/// <summary>Grammatical class of a word of the synthetic task (each word has exactly one).</summary>
public enum WordClass
{
    Determiner,
    Adjective,
    Noun,
    TransitiveVerb,
    IntransitiveVerb,
    /// <summary>Manner adverbs, after the verb phrase ("warmly").</summary>
    Adverb,
    /// <summary>Frequency adverbs, between subject and verb ("often"); only in prompts.</summary>
    FrequencyAdverb,
    /// <summary>"with", introducing a noun phrase after an intransitive verb.</summary>
    Preposition,
    /// <summary>"is", followed by an adjective.</summary>
    Copula,
    /// <summary>".", ends every sentence.</summary>
    Period,
}

/// <summary>One vocabulary word: its class and its hidden sentiment (-2..+2; 0 = neutral).</summary>
public sealed record LexiconEntry(string Word, WordClass Class, int Sentiment);

/// <summary>
/// The closed vocabulary of the synthetic task. Every open class (adjectives, both kinds of verbs,
/// manner adverbs) has equally many positive and negative words with mirrored strengths and some
/// neutral ones; determiners, nouns, frequency adverbs and function words are neutral. The
/// sentiments are the HIDDEN ground truth: only <see cref="HiddenPreference"/> reads them.
/// </summary>
public static class Lexicon
{
    /// <summary>The period token.</summary>
    public const string Period = ".";

    /// <summary>All entries, in vocabulary order.</summary>
    public static IReadOnlyList<LexiconEntry> Entries { get; }

    private static readonly Dictionary<string, LexiconEntry> ByWord;
    private static readonly Dictionary<WordClass, string[]> ByClass;

    static Lexicon()
    {
        var entries = new List<LexiconEntry>();
        void Add(WordClass c, int sentiment, params string[] words)
        {
            foreach (var w in words) entries.Add(new LexiconEntry(w, c, sentiment));
        }

        Add(WordClass.Determiner, 0, "the", "this", "that", "my", "your", "our", "every");
        Add(WordClass.Noun, 0, "dog", "cat", "bird", "fox", "horse", "child", "teacher", "farmer",
            "baker", "king", "friend", "neighbor", "robot", "sailor", "painter", "doctor");

        Add(WordClass.Adjective, +2, "lovely");
        Add(WordClass.Adjective, +1, "happy", "kind", "brave", "gentle", "cheerful");
        Add(WordClass.Adjective, -2, "cruel");
        Add(WordClass.Adjective, -1, "sad", "lazy", "rude", "angry", "nasty");
        Add(WordClass.Adjective, 0, "small", "big", "old", "young", "red", "tall");

        Add(WordClass.TransitiveVerb, +2, "loves");
        Add(WordClass.TransitiveVerb, +1, "helps", "thanks", "praises", "hugs");
        Add(WordClass.TransitiveVerb, -2, "hates");
        Add(WordClass.TransitiveVerb, -1, "bites", "scolds", "blames", "kicks");
        Add(WordClass.TransitiveVerb, 0, "sees", "meets", "follows", "watches", "finds");

        Add(WordClass.IntransitiveVerb, +2, "laughs");
        Add(WordClass.IntransitiveVerb, +1, "smiles", "sings", "dances");
        Add(WordClass.IntransitiveVerb, -2, "cries");
        Add(WordClass.IntransitiveVerb, -1, "sulks", "growls", "complains");
        Add(WordClass.IntransitiveVerb, 0, "sleeps", "walks", "waits", "sits");

        Add(WordClass.Adverb, +2, "warmly");
        Add(WordClass.Adverb, +1, "gladly", "kindly", "sweetly");
        Add(WordClass.Adverb, -2, "bitterly");
        Add(WordClass.Adverb, -1, "rudely", "coldly", "angrily");
        Add(WordClass.Adverb, 0, "slowly", "quickly", "quietly", "loudly");

        Add(WordClass.FrequencyAdverb, 0, "often", "always", "sometimes", "rarely");
        Add(WordClass.Preposition, 0, "with");
        Add(WordClass.Copula, 0, "is");
        Add(WordClass.Period, 0, Period);

        Entries = entries;
        ByWord = entries.ToDictionary(e => e.Word, StringComparer.Ordinal);
        ByClass = entries.GroupBy(e => e.Class).ToDictionary(g => g.Key, g => g.Select(e => e.Word).ToArray());
    }

    /// <summary>The words in vocabulary order.</summary>
    public static IEnumerable<string> Words => Entries.Select(e => e.Word);

    /// <summary>The words of <paramref name="c"/>.</summary>
    public static IReadOnlyList<string> WordsOf(WordClass c) => ByClass[c];

    /// <summary>The entry of <paramref name="word"/>, or null for a word outside the vocabulary.</summary>
    public static LexiconEntry? Find(string word) => ByWord.GetValueOrDefault(word);

    /// <summary>Whether <paramref name="word"/> is in the vocabulary.</summary>
    public static bool Contains(string word) => ByWord.ContainsKey(word);

    /// <summary>
    /// Splits text into words: on whitespace, with "." split off as its own word ("runs." -> "runs", ".").
    /// Does not check the words against the vocabulary.
    /// </summary>
    public static string[] Split(string text)
    {
        var words = new List<string>();
        foreach (var raw in text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            var w = raw;
            var trailing = 0;
            while (w.Length > 1 && w.EndsWith('.')) { w = w[..^1]; trailing++; }
            words.Add(w);
            for (var i = 0; i < trailing; i++) words.Add(Period);
        }
        return [.. words];
    }

    /// <summary>Words as canonical text: separated by single spaces, "." attached to the word before it.</summary>
    public static string Join(IEnumerable<string> words)
    {
        var sb = new System.Text.StringBuilder();
        foreach (var w in words)
        {
            if (sb.Length > 0 && w != Period) sb.Append(' ');
            sb.Append(w);
        }
        return sb.ToString();
    }
}
