using AkkaRlhf.Models.Data;

namespace AkkaRlhf.Models.Synthetic;

/// <summary>
/// The base distribution of sentences (what SFT imitates). A prompt is the sentence's beginning
/// (the subject noun phrase, sometimes with a frequency adverb: 2-5 words), the response its rest
/// (verb phrase and "."; 2-8 words). Every word is drawn uniformly from its class, and every open
/// class has as many positive as negative words with mirrored strengths, so the expected hidden
/// reward of a base response is exactly 0 while a policy can still move toward positive words
/// without leaving the grammar.
/// </summary>
public sealed record BaseDistribution
{
    /// <summary>Most adjectives in one noun phrase (the grammar allows 0..2).</summary>
    public const int MaxAdjectives = 2;

    /// <summary>Probabilities of 0, 1, 2 adjectives in a noun phrase.</summary>
    public IReadOnlyList<double> AdjectiveCounts { get; init; } = [0.5, 0.35, 0.15];

    /// <summary>Probability of a frequency adverb at the end of the prompt.</summary>
    public double FrequencyAdverb { get; init; } = 0.15;

    /// <summary>Probabilities of the verb phrase forms: transitive + object, intransitive, intransitive + "with" NP, "is" + adjective.</summary>
    public IReadOnlyList<double> VerbPhraseForms { get; init; } = [0.45, 0.25, 0.15, 0.15];

    /// <summary>Probability of a manner adverb after a transitive / intransitive verb phrase.</summary>
    public double Adverb { get; init; } = 0.35;

    /// <summary>The default distribution.</summary>
    public static BaseDistribution Default { get; } = new();

    /// <summary>A prompt (words).</summary>
    public string[] SamplePromptWords(SeededRandom rng)
    {
        var words = new List<string>();
        NounPhrase(rng, words);
        if (rng.NextBool(FrequencyAdverb)) words.Add(rng.Pick(Lexicon.WordsOf(WordClass.FrequencyAdverb)));
        return [.. words];
    }

    /// <summary>A response (words, ending with "."). In this grammar the rest of a sentence does not depend on its beginning.</summary>
    public string[] SampleResponseWords(SeededRandom rng)
    {
        var words = new List<string>();
        switch (rng.PickWeighted(VerbPhraseForms))
        {
            case 0:
                words.Add(rng.Pick(Lexicon.WordsOf(WordClass.TransitiveVerb)));
                NounPhrase(rng, words);
                if (rng.NextBool(Adverb)) words.Add(rng.Pick(Lexicon.WordsOf(WordClass.Adverb)));
                break;
            case 1:
                words.Add(rng.Pick(Lexicon.WordsOf(WordClass.IntransitiveVerb)));
                if (rng.NextBool(Adverb)) words.Add(rng.Pick(Lexicon.WordsOf(WordClass.Adverb)));
                break;
            case 2:
                words.Add(rng.Pick(Lexicon.WordsOf(WordClass.IntransitiveVerb)));
                words.Add(Lexicon.WordsOf(WordClass.Preposition)[0]);
                NounPhrase(rng, words);
                if (rng.NextBool(Adverb)) words.Add(rng.Pick(Lexicon.WordsOf(WordClass.Adverb)));
                break;
            default:
                words.Add(Lexicon.WordsOf(WordClass.Copula)[0]);
                words.Add(rng.Pick(Lexicon.WordsOf(WordClass.Adjective)));
                break;
        }
        words.Add(Lexicon.Period);
        return [.. words];
    }

    /// <summary>A prompt as text.</summary>
    public string SamplePrompt(SeededRandom rng) => Lexicon.Join(SamplePromptWords(rng));

    /// <summary>A response to <paramref name="prompt"/> as text.</summary>
    public string SampleResponse(SeededRandom rng, string prompt) => Lexicon.Join(SampleResponseWords(rng));

    private void NounPhrase(SeededRandom rng, List<string> words)
    {
        words.Add(rng.Pick(Lexicon.WordsOf(WordClass.Determiner)));
        var n = rng.PickWeighted(AdjectiveCounts);
        for (var i = 0; i < n; i++) words.Add(rng.Pick(Lexicon.WordsOf(WordClass.Adjective)));
        words.Add(rng.Pick(Lexicon.WordsOf(WordClass.Noun)));
    }
}
