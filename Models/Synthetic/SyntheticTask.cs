using AkkaRlhf.Models.Data;

namespace AkkaRlhf.Models.Synthetic;

/// <summary>How many examples of each kind <see cref="SyntheticTask.Generate"/> makes (train / eval).</summary>
public sealed record SyntheticSizes
{
    public int SftTrain { get; init; } = 4000;
    public int SftEval { get; init; } = 500;
    public int PreferenceTrain { get; init; } = 4000;
    public int PreferenceEval { get; init; } = 500;
    public int RankingTrain { get; init; } = 1000;
    public int RankingEval { get; init; } = 200;
    /// <summary>Candidates per ranking example.</summary>
    public int RankingK { get; init; } = 4;
    public int PromptTrain { get; init; } = 1000;
    public int PromptEval { get; init; } = 256;

    /// <summary>The default sizes (a few seconds to generate, enough for the demo).</summary>
    public static SyntheticSizes Default { get; } = new();

    /// <summary>Every split with <paramref name="n"/> examples (for tests).</summary>
    public static SyntheticSizes All(int n, int rankingK = 4) => new()
    {
        SftTrain = n, SftEval = n, PreferenceTrain = n, PreferenceEval = n,
        RankingTrain = n, RankingEval = n, RankingK = rankingK, PromptTrain = n, PromptEval = n,
    };
}

/// <summary>
/// The noise of the simulated labellers: pairs are labelled with Bradley-Terry probability
/// sigmoid((s_a - s_b) / <see cref="PairTemperature"/>), rankings' best with softmax(s / <see cref="RankingTemperature"/>).
/// The defaults make about 87% of pairwise labels agree with the hidden scorer.
/// </summary>
public sealed record LabelNoise(double PairTemperature = 0.75, double RankingTemperature = 0.75)
{
    public static LabelNoise Default { get; } = new();
}

/// <summary>Train and held-out examples of one kind.</summary>
public sealed record DataSplit<T>(IReadOnlyList<T> Train, IReadOnlyList<T> Eval);

/// <summary>Paths written by <see cref="SyntheticData.WriteJsonl"/>.</summary>
public sealed record SyntheticFiles(
    string Directory,
    string SftTrain, string SftEval,
    string PreferenceTrain, string PreferenceEval,
    string RankingTrain, string RankingEval,
    string PromptTrain, string PromptEval,
    string Vocabulary)
{
    /// <summary>All data files (without the vocabulary).</summary>
    public IEnumerable<string> DataFiles => [SftTrain, SftEval, PreferenceTrain, PreferenceEval, RankingTrain, RankingEval, PromptTrain, PromptEval];
}

/// <summary>Every split of the synthetic task for one seed.</summary>
public sealed record SyntheticData(
    long Seed,
    DataSplit<SftExample> Sft,
    DataSplit<PreferenceExample> Preferences,
    DataSplit<RankingExample> Rankings,
    DataSplit<PromptExample> Prompts)
{
    public const string SftTrainFile = "sft_train.jsonl";
    public const string SftEvalFile = "sft_eval.jsonl";
    public const string PreferenceTrainFile = "prefs_train.jsonl";
    public const string PreferenceEvalFile = "prefs_eval.jsonl";
    public const string RankingTrainFile = "rankings_train.jsonl";
    public const string RankingEvalFile = "rankings_eval.jsonl";
    public const string PromptTrainFile = "prompts_train.jsonl";
    public const string PromptEvalFile = "prompts_eval.jsonl";
    public const string VocabularyFile = "vocab.txt";

    /// <summary>Writes every split as JSONL (formats of <see cref="JsonlDataset"/>) plus the vocabulary into <paramref name="directory"/>.</summary>
    public SyntheticFiles WriteJsonl(string directory)
    {
        System.IO.Directory.CreateDirectory(directory);
        string P(string name) => Path.Combine(directory, name);
        JsonlDataset.Write(P(SftTrainFile), Sft.Train);
        JsonlDataset.Write(P(SftEvalFile), Sft.Eval);
        JsonlDataset.Write(P(PreferenceTrainFile), Preferences.Train);
        JsonlDataset.Write(P(PreferenceEvalFile), Preferences.Eval);
        JsonlDataset.Write(P(RankingTrainFile), Rankings.Train);
        JsonlDataset.Write(P(RankingEvalFile), Rankings.Eval);
        JsonlDataset.Write(P(PromptTrainFile), Prompts.Train);
        JsonlDataset.Write(P(PromptEvalFile), Prompts.Eval);
        WordTokenizer.Synthetic.Save(P(VocabularyFile));
        return new SyntheticFiles(directory,
            P(SftTrainFile), P(SftEvalFile), P(PreferenceTrainFile), P(PreferenceEvalFile),
            P(RankingTrainFile), P(RankingEvalFile), P(PromptTrainFile), P(PromptEvalFile), P(VocabularyFile));
    }
}

/// <summary>
/// What the demo's final table reports for a set of (prompt, response) pairs.
/// </summary>
/// <param name="Count">Pairs evaluated.</param>
/// <param name="MeanReward">Mean hidden (true) reward.</param>
/// <param name="RewardStd">Sample standard deviation of the hidden reward.</param>
/// <param name="StdError">Standard error of the mean: RewardStd / sqrt(Count).</param>
/// <param name="FluencyPercent">Percent of grammatical completions.</param>
/// <param name="MeanLength">Mean response length in words ("." included).</param>
public sealed record EvaluationReport(int Count, double MeanReward, double RewardStd, double StdError, double FluencyPercent, double MeanLength)
{
    /// <summary>How many standard errors of <paramref name="baseline"/> this mean reward lies above it.</summary>
    public double ImprovementInStdErrors(EvaluationReport baseline) =>
        (MeanReward - baseline.MeanReward) / Math.Max(baseline.StdError, 1e-12);

    public override string ToString() =>
        $"n={Count} reward={MeanReward:F3}±{StdError:F3} (std {RewardStd:F3}) fluency={FluencyPercent:F1}% length={MeanLength:F2}";
}

/// <summary>
/// The built-in task of the demo: sentences of a small grammar whose words carry a hidden sentiment.
/// SFT imitates the base distribution (neutral on average); the reward model learns from noisy
/// pairwise labels of the hidden scorer; PPO / DPO should raise the hidden reward while staying
/// fluent. See docs/demo-task.md.
/// </summary>
public static class SyntheticTask
{
    // Independent random streams per split: changing one split's size leaves the others unchanged.
    private const long SftTrainStream = 11, SftEvalStream = 12, PrefTrainStream = 21, PrefEvalStream = 22,
        RankTrainStream = 31, RankEvalStream = 32, PromptTrainStream = 41, PromptEvalStream = 42;

    /// <summary>The default seed of the demo.</summary>
    public const long DefaultSeed = 1234;

    /// <summary>The task's tokenizer.</summary>
    public static WordTokenizer Tokenizer => WordTokenizer.Synthetic;

    /// <summary>Prompt/response format for the word tokenizer: <c>{prompt} &lt;sep&gt; {response} &lt;eos&gt;</c>.</summary>
    public static ChatTemplate ChatTemplate { get; } = new(UserPrefix: "", AssistantPrefix: " " + WordTokenizer.SepToken + " ");

    /// <summary>Longest prompt in words (without the separator).</summary>
    public const int MaxPromptWords = 5;

    /// <summary>Longest base response in words ("." included, EOS not).</summary>
    public const int MaxResponseWords = 8;

    /// <summary>Every split for <paramref name="seed"/>: identical for identical arguments.</summary>
    public static SyntheticData Generate(long seed, SyntheticSizes? sizes = null, LabelNoise? noise = null,
        BaseDistribution? distribution = null, HiddenPreference? hidden = null)
    {
        sizes ??= SyntheticSizes.Default;
        noise ??= LabelNoise.Default;
        var dist = distribution ?? BaseDistribution.Default;
        hidden ??= HiddenPreference.Default;
        if (sizes.RankingK < 2) throw new ArgumentOutOfRangeException(nameof(sizes), sizes.RankingK, "RankingK must be at least 2");
        return new SyntheticData(seed,
            new DataSplit<SftExample>(Sft(new SeededRandom(seed, SftTrainStream), sizes.SftTrain, dist), Sft(new SeededRandom(seed, SftEvalStream), sizes.SftEval, dist)),
            new DataSplit<PreferenceExample>(
                Preferences(new SeededRandom(seed, PrefTrainStream), sizes.PreferenceTrain, dist, hidden, noise.PairTemperature),
                Preferences(new SeededRandom(seed, PrefEvalStream), sizes.PreferenceEval, dist, hidden, noise.PairTemperature)),
            new DataSplit<RankingExample>(
                Rankings(new SeededRandom(seed, RankTrainStream), sizes.RankingTrain, sizes.RankingK, dist, hidden, noise.RankingTemperature),
                Rankings(new SeededRandom(seed, RankEvalStream), sizes.RankingEval, sizes.RankingK, dist, hidden, noise.RankingTemperature)),
            new DataSplit<PromptExample>(Prompts(new SeededRandom(seed, PromptTrainStream), sizes.PromptTrain, dist), Prompts(new SeededRandom(seed, PromptEvalStream), sizes.PromptEval, dist)));
    }

    /// <summary>SFT pairs from the base distribution.</summary>
    public static List<SftExample> Sft(SeededRandom rng, int count, BaseDistribution? distribution = null)
    {
        var dist = distribution ?? BaseDistribution.Default;
        var list = new List<SftExample>(count);
        for (var i = 0; i < count; i++)
        {
            var prompt = dist.SamplePrompt(rng);
            list.Add(new SftExample(prompt, dist.SampleResponse(rng, prompt)));
        }
        return list;
    }

    /// <summary>
    /// Preference pairs: two base responses to one prompt, labelled with Bradley-Terry noise. Ties are
    /// handled by redrawing the second response until the hidden scores differ (so every pair has a
    /// right answer and a perfect scorer's accuracy equals the label agreement).
    /// </summary>
    public static List<PreferenceExample> Preferences(SeededRandom rng, int count, BaseDistribution? distribution = null,
        HiddenPreference? hidden = null, double temperature = 0.75)
    {
        var dist = distribution ?? BaseDistribution.Default;
        hidden ??= HiddenPreference.Default;
        var list = new List<PreferenceExample>(count);
        while (list.Count < count)
        {
            var prompt = dist.SamplePrompt(rng);
            var a = dist.SampleResponse(rng, prompt);
            var sa = hidden.Score(prompt, a);
            string? b = null;
            var sb = 0.0;
            for (var attempt = 0; attempt < 64; attempt++)
            {
                var candidate = dist.SampleResponse(rng, prompt);
                sb = hidden.Score(prompt, candidate);
                if (sb != sa) { b = candidate; break; }
            }
            if (b is null) continue;
            list.Add(HiddenPreference.SamplePrefersA(rng, sa, sb, temperature)
                ? new PreferenceExample(prompt, a, b)
                : new PreferenceExample(prompt, b, a));
        }
        return list;
    }

    /// <summary>K-way rankings: K base responses, the best drawn from softmax(hidden score / tau).</summary>
    public static List<RankingExample> Rankings(SeededRandom rng, int count, int k, BaseDistribution? distribution = null,
        HiddenPreference? hidden = null, double temperature = 0.75)
    {
        var dist = distribution ?? BaseDistribution.Default;
        hidden ??= HiddenPreference.Default;
        var list = new List<RankingExample>(count);
        for (var i = 0; i < count; i++)
        {
            var prompt = dist.SamplePrompt(rng);
            var responses = new string[k];
            var scores = new double[k];
            for (var j = 0; j < k; j++)
            {
                responses[j] = dist.SampleResponse(rng, prompt);
                scores[j] = hidden.Score(prompt, responses[j]);
            }
            list.Add(new RankingExample(prompt, responses, HiddenPreference.SampleBest(rng, scores, temperature)));
        }
        return list;
    }

    /// <summary>Prompts from the base distribution.</summary>
    public static List<PromptExample> Prompts(SeededRandom rng, int count, BaseDistribution? distribution = null)
    {
        var dist = distribution ?? BaseDistribution.Default;
        var list = new List<PromptExample>(count);
        for (var i = 0; i < count; i++) list.Add(new PromptExample(dist.SamplePrompt(rng)));
        return list;
    }

    /// <summary>
    /// The oracle best-of-<paramref name="n"/> baseline: for each prompt, the base response with the
    /// highest hidden score among <paramref name="n"/> draws (an upper reference for the demo's table).
    /// </summary>
    public static List<(string Prompt, string Response)> BestOfN(long seed, IEnumerable<string> prompts, int n,
        BaseDistribution? distribution = null, HiddenPreference? hidden = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(n);
        var dist = distribution ?? BaseDistribution.Default;
        hidden ??= HiddenPreference.Default;
        var rng = new SeededRandom(seed, 51);
        var list = new List<(string, string)>();
        foreach (var p in prompts)
        {
            string best = "";
            var bestScore = double.NegativeInfinity;
            for (var i = 0; i < n; i++)
            {
                var r = dist.SampleResponse(rng, p);
                var s = hidden.Score(p, r);
                if (s > bestScore) (best, bestScore) = (r, s);
            }
            list.Add((p, best));
        }
        return list;
    }

    /// <summary>Mean hidden reward with its standard error, fluency percent and mean length of <paramref name="pairs"/>.</summary>
    public static EvaluationReport Evaluate(IEnumerable<(string Prompt, string Response)> pairs, HiddenPreference? hidden = null)
    {
        hidden ??= HiddenPreference.Default;
        return Report(pairs.Select(x => (hidden.Score(x.Prompt, x.Response), Fluency.IsValid(x.Prompt, x.Response), Lexicon.Split(x.Response).Length)));
    }

    /// <summary>
    /// <see cref="Evaluate(IEnumerable{ValueTuple{string, string}}, HiddenPreference?)"/> on generated token ids
    /// (prompt ids as fed to the model, response ids as generation returns them): the response is read up to
    /// its EOS, and fluency also requires that EOS (<see cref="Fluency.CheckIds(WordTokenizer, IEnumerable{long}, IEnumerable{long})"/>),
    /// so a response cut off by max_new_tokens counts as not fluent.
    /// </summary>
    public static EvaluationReport EvaluateIds(IEnumerable<(IReadOnlyList<long> PromptIds, IReadOnlyList<long> ResponseIds)> rows,
        WordTokenizer? tokenizer = null, HiddenPreference? hidden = null)
    {
        var tok = tokenizer ?? Tokenizer;
        hidden ??= HiddenPreference.Default;
        return Report(rows.Select(row =>
        {
            var words = row.ResponseIds.TakeWhile(id => id != tok.EosId)
                .Where(id => id >= 3 && id < tok.VocabSize).Select(id => tok.Tokens[(int)id]).ToArray();
            return (hidden.ScoreWords(words), Fluency.CheckIds(tok, row.PromptIds, row.ResponseIds).IsValid, words.Length);
        }));
    }

    private static EvaluationReport Report(IEnumerable<(double Reward, bool Fluent, int Words)> rows)
    {
        var rewards = new List<double>();
        var (fluent, words) = (0, 0L);
        foreach (var (reward, ok, length) in rows)
        {
            rewards.Add(reward);
            if (ok) fluent++;
            words += length;
        }
        var n = rewards.Count;
        if (n == 0) return new EvaluationReport(0, 0, 0, 0, 0, 0);
        var mean = rewards.Average();
        var std = n > 1 ? Math.Sqrt(rewards.Sum(x => (x - mean) * (x - mean)) / (n - 1)) : 0;
        return new EvaluationReport(n, mean, std, std / Math.Sqrt(n), 100.0 * fluent / n, (double)words / n);
    }

    /// <summary>Fraction of pairs whose label agrees with the hidden scorer (chosen scores strictly higher; ties count as disagreement).</summary>
    public static double LabelAgreement(IEnumerable<PreferenceExample> pairs, HiddenPreference? hidden = null)
    {
        hidden ??= HiddenPreference.Default;
        var (n, agree) = (0, 0);
        foreach (var e in pairs)
        {
            n++;
            if (hidden.Score(e.Prompt, e.Chosen) > hidden.Score(e.Prompt, e.Rejected)) agree++;
        }
        return n == 0 ? 0 : (double)agree / n;
    }

    /// <summary>Fraction of rankings whose labelled best has the (possibly shared) highest hidden score.</summary>
    public static double RankingAgreement(IEnumerable<RankingExample> rankings, HiddenPreference? hidden = null)
    {
        hidden ??= HiddenPreference.Default;
        var (n, agree) = (0, 0);
        foreach (var e in rankings)
        {
            n++;
            var scores = e.Responses.Select(r => hidden.Score(e.Prompt, r)).ToArray();
            if (scores[e.Best] == scores.Max()) agree++;
        }
        return n == 0 ? 0 : (double)agree / n;
    }
}
