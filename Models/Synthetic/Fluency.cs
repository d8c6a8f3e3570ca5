namespace AkkaRlhf.Models.Synthetic;

/// <summary>Whether a text is a sentence of the grammar, and if not, the first problem.</summary>
public sealed record FluencyResult(bool IsValid, string? Error)
{
    public static FluencyResult Valid { get; } = new(true, null);
}

/// <summary>
/// A recognizer for the grammar of the synthetic task (see <see cref="BaseDistribution"/> and
/// docs/demo-task.md):
/// <code>
/// S    = NP [FADV] VP "."
/// NP   = DET ADJ{0,2} NOUN
/// VP   = TVERB NP [ADV] | IVERB ["with" NP] [ADV] | "is" ADJ
/// </code>
/// A response is fluent when prompt + response is exactly one sentence; on token ids it must also
/// end with EOS right after the "." (anything after the EOS must be padding or EOS).
/// </summary>
public static class Fluency
{
    /// <summary>Whether prompt + response is a sentence of the grammar.</summary>
    public static bool IsValid(string prompt, string response) => Check(prompt, response).IsValid;

    /// <summary>Whether <paramref name="sentence"/> is a sentence of the grammar.</summary>
    public static bool IsSentence(string sentence) => Parse(Lexicon.Split(sentence)).IsValid;

    /// <summary>Like <see cref="IsValid(string, string)"/>, with the first problem found.</summary>
    public static FluencyResult Check(string prompt, string response)
    {
        var r = Lexicon.Split(response);
        if (r.Length == 0) return new FluencyResult(false, "empty response");
        var p = Lexicon.Split(prompt);
        if (p.Length > 0 && p[^1] == WordTokenizer.SepToken) p = p[..^1];   // a prompt formatted by SyntheticTask.ChatTemplate
        return Parse([.. p, .. r]);
    }

    /// <summary>
    /// Fluency of generated ids: <paramref name="promptIds"/> (a trailing separator is ignored) and
    /// <paramref name="responseIds"/>, which must be the sentence's rest, then EOS, then only pad/EOS.
    /// A response cut off before its EOS is not fluent.
    /// </summary>
    public static FluencyResult CheckIds(WordTokenizer tokenizer, IEnumerable<int> promptIds, IEnumerable<int> responseIds)
    {
        var prompt = promptIds.ToList();
        while (prompt.Count > 0 && prompt[^1] is WordTokenizer.Sep or WordTokenizer.Pad) prompt.RemoveAt(prompt.Count - 1);
        prompt.RemoveAll(id => id == WordTokenizer.Pad);   // left padding
        var response = new List<int>();
        var sawEos = false;
        foreach (var id in responseIds)
        {
            if (sawEos)
            {
                if (id is not (WordTokenizer.Eos or WordTokenizer.Pad)) return new FluencyResult(false, "tokens after EOS");
                continue;
            }
            if (id == WordTokenizer.Eos) { sawEos = true; continue; }
            if (id is < 3 || id >= tokenizer.VocabSize) return new FluencyResult(false, $"special or unknown id {id} in the response");
            response.Add(id);
        }
        if (response.Count == 0) return new FluencyResult(false, "empty response");
        var words = prompt.Concat(response).Select(id => id >= 0 && id < tokenizer.VocabSize ? tokenizer.Tokens[id] : $"<{id}>").ToArray();
        var parsed = Parse(words);
        if (!parsed.IsValid) return parsed;
        return sawEos ? FluencyResult.Valid : new FluencyResult(false, "no EOS after the final \".\"");
    }

    /// <summary><see cref="CheckIds(WordTokenizer, IEnumerable{int}, IEnumerable{int})"/> for int64 ids (as generation returns them).</summary>
    public static FluencyResult CheckIds(WordTokenizer tokenizer, IEnumerable<long> promptIds, IEnumerable<long> responseIds) =>
        CheckIds(tokenizer, promptIds.Select(i => (int)i), responseIds.Select(i => (int)i));

    /// <summary>Percent (0..100) of fluent pairs; 0 for an empty set.</summary>
    public static double Percent(IEnumerable<(string Prompt, string Response)> pairs)
    {
        var (n, ok) = (0, 0);
        foreach (var (p, r) in pairs)
        {
            n++;
            if (IsValid(p, r)) ok++;
        }
        return n == 0 ? 0 : 100.0 * ok / n;
    }

    /// <summary>Parses a whole sentence given as words.</summary>
    public static FluencyResult Parse(IReadOnlyList<string> words)
    {
        var p = new Parser(words);
        return p.Sentence();
    }

    private sealed class Parser(IReadOnlyList<string> words)
    {
        private int _pos;

        private WordClass? Peek()
        {
            if (_pos >= words.Count) return null;
            return Lexicon.Find(words[_pos])?.Class;
        }

        private FluencyResult Fail(string expected)
        {
            if (_pos >= words.Count) return new FluencyResult(false, $"expected {expected} after the last word");
            var w = words[_pos];
            var what = Lexicon.Contains(w) ? $"\"{w}\"" : $"unknown word \"{w}\"";
            return new FluencyResult(false, $"word {_pos + 1} ({what}): expected {expected}");
        }

        private bool Accept(WordClass c)
        {
            if (Peek() != c) return false;
            _pos++;
            return true;
        }

        public FluencyResult Sentence()
        {
            if (NounPhrase() is { IsValid: false } np) return np;
            Accept(WordClass.FrequencyAdverb);
            if (VerbPhrase() is { IsValid: false } vp) return vp;
            if (!Accept(WordClass.Period)) return Fail("\".\"");
            if (_pos != words.Count) return Fail("the end of the sentence");
            return FluencyResult.Valid;
        }

        private FluencyResult NounPhrase()
        {
            if (!Accept(WordClass.Determiner)) return Fail("a determiner");
            var adjectives = 0;
            while (Accept(WordClass.Adjective))
                if (++adjectives > BaseDistribution.MaxAdjectives) { _pos--; return Fail("a noun (at most 2 adjectives)"); }
            if (!Accept(WordClass.Noun)) return Fail(adjectives < BaseDistribution.MaxAdjectives ? "an adjective or a noun" : "a noun");
            return FluencyResult.Valid;
        }

        private FluencyResult VerbPhrase()
        {
            if (Accept(WordClass.Copula))
                return Accept(WordClass.Adjective) ? FluencyResult.Valid : Fail("an adjective after \"is\"");
            if (Accept(WordClass.TransitiveVerb))
            {
                if (NounPhrase() is { IsValid: false } obj) return obj;
            }
            else if (Accept(WordClass.IntransitiveVerb))
            {
                if (Accept(WordClass.Preposition) && NounPhrase() is { IsValid: false } pp) return pp;
            }
            else return Fail("a verb");
            Accept(WordClass.Adverb);
            return FluencyResult.Valid;
        }
    }
}
