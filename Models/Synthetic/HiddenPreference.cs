using AkkaRlhf.Models.Data;

namespace AkkaRlhf.Models.Synthetic;

/// <summary>
/// The HIDDEN ground-truth preference of the synthetic task: true reward of (prompt, response) =
/// sum of the hidden sentiments (-2..+2, see <see cref="Lexicon"/>) of the response's words, counted
/// over at most <see cref="MaxWords"/> words (unknown words count 0; the prompt does not count).
/// Only the data generator and the evaluator read it; the reward model only ever sees the labelled
/// pairs it produces (with Bradley-Terry noise).
/// </summary>
public sealed record HiddenPreference
{
    /// <summary>Words of a response that count (bounds the reward of a run-on response).</summary>
    public int MaxWords { get; init; } = 16;

    /// <summary>The default scorer.</summary>
    public static HiddenPreference Default { get; } = new();

    /// <summary>Hidden sentiment of one word (0 for neutral or unknown words).</summary>
    public static int Sentiment(string word) => Lexicon.Find(word)?.Sentiment ?? 0;

    /// <summary>True reward of <paramref name="response"/> to <paramref name="prompt"/>.</summary>
    public double Score(string prompt, string response) => ScoreWords(Lexicon.Split(response));

    /// <summary>True reward of a response given as words.</summary>
    public double ScoreWords(IReadOnlyList<string> responseWords)
    {
        var s = 0;
        for (var i = 0; i < responseWords.Count && i < MaxWords; i++) s += Sentiment(responseWords[i]);
        return s;
    }

    /// <summary>Bradley-Terry: P(a is preferred to b) = sigmoid((s_a - s_b) / tau).</summary>
    public static double PreferenceProbability(double scoreA, double scoreB, double temperature) =>
        1.0 / (1.0 + Math.Exp(-(scoreA - scoreB) / temperature));

    /// <summary>Softmax of scores / tau: the probability that each candidate is labelled best.</summary>
    public static double[] BestProbabilities(IReadOnlyList<double> scores, double temperature)
    {
        var max = scores.Max();
        var e = scores.Select(s => Math.Exp((s - max) / temperature)).ToArray();
        var z = e.Sum();
        return e.Select(x => x / z).ToArray();
    }

    /// <summary>A noisy pairwise label: true when a is preferred, drawn with <see cref="PreferenceProbability"/>.</summary>
    public static bool SamplePrefersA(SeededRandom rng, double scoreA, double scoreB, double temperature) =>
        rng.NextDouble() < PreferenceProbability(scoreA, scoreB, temperature);

    /// <summary>A noisy best-of-K label drawn with <see cref="BestProbabilities"/>.</summary>
    public static int SampleBest(SeededRandom rng, IReadOnlyList<double> scores, double temperature) =>
        rng.PickWeighted(BestProbabilities(scores, temperature));
}
