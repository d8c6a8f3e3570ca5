using AkkaRlhf.Models.Data;
using AkkaRlhf.Models.Synthetic;

namespace AkkaRlhf.Models.Tests;

/// <summary>Generated once for the class (about 0.1 s): the default sizes on the default seed.</summary>
public sealed class SyntheticFixture
{
    public SyntheticData Data { get; } = SyntheticTask.Generate(SyntheticTask.DefaultSeed);
}

public sealed class SyntheticTaskSpecs(SyntheticFixture fixture) : IClassFixture<SyntheticFixture>
{
    private readonly SyntheticData _data = fixture.Data;
    private static readonly WordTokenizer Tok = SyntheticTask.Tokenizer;

    [Fact]
    public void Generate_must_give_identical_data_for_the_same_seed_and_different_data_for_another()
    {
        var sizes = SyntheticSizes.All(200);
        var a = SyntheticTask.Generate(7, sizes);
        var b = SyntheticTask.Generate(7, sizes);
        Assert.Equal(a.Sft.Train, b.Sft.Train);
        Assert.Equal(a.Sft.Eval, b.Sft.Eval);
        Assert.Equal(a.Preferences.Train, b.Preferences.Train);
        Assert.Equal(a.Preferences.Eval, b.Preferences.Eval);
        Assert.Equal(a.Rankings.Train, b.Rankings.Train);
        Assert.Equal(a.Prompts.Eval, b.Prompts.Eval);
        var c = SyntheticTask.Generate(8, sizes);
        Assert.NotEqual(a.Sft.Train, c.Sft.Train);
        Assert.NotEqual(a.Sft.Train, a.Sft.Eval);      // splits come from different streams
        // each split has its own stream: resizing one leaves the others as they were
        var d = SyntheticTask.Generate(7, sizes with { SftTrain = 10 });
        Assert.Equal(a.Preferences.Train, d.Preferences.Train);
        Assert.Equal(a.Sft.Train.Take(10), d.Sft.Train);
    }

    [Fact]
    public void Generate_must_make_every_split_with_the_requested_sizes_and_short_sequences()
    {
        var s = SyntheticSizes.Default;
        Assert.Equal((s.SftTrain, s.SftEval), (_data.Sft.Train.Count, _data.Sft.Eval.Count));
        Assert.Equal((s.PreferenceTrain, s.PreferenceEval), (_data.Preferences.Train.Count, _data.Preferences.Eval.Count));
        Assert.Equal((s.RankingTrain, s.RankingEval), (_data.Rankings.Train.Count, _data.Rankings.Eval.Count));
        Assert.Equal((s.PromptTrain, s.PromptEval), (_data.Prompts.Train.Count, _data.Prompts.Eval.Count));
        Assert.All(_data.Rankings.Train, r => Assert.Equal(s.RankingK, r.Responses.Count));
        Assert.All(_data.Sft.Train, e =>
        {
            Assert.InRange(Tok.Encode(e.Prompt).Length, 2, SyntheticTask.MaxPromptWords);
            Assert.InRange(Tok.Encode(e.Response).Length, 2, SyntheticTask.MaxResponseWords);
        });
        Assert.InRange(Tok.VocabSize, 40, 160);
        Assert.True(_data.Sft.Train.Select(e => e.Response).Distinct().Count() > 2000, "enough variety");
    }

    [Fact]
    public void Tokenizer_must_round_trip_text_and_ids_and_name_an_unknown_word()
    {
        foreach (var e in _data.Sft.Train.Take(300))
        {
            Assert.Equal(e.Response, Tok.Decode(Tok.Encode(e.Response)));
            var ids = Tok.Encode(e.Prompt + " " + e.Response);
            Assert.Equal(ids, Tok.Encode(Tok.Decode(ids)));
        }
        Assert.Equal(Tok.Encode("the dog sleeps ."), Tok.Encode("the   dog\tsleeps."));
        Assert.Equal("the dog sleeps.", Tok.Decode(Tok.Encode("the dog sleeps .")));
        Assert.Equal((0, 1, 2), (Tok.PadId, Tok.EosId, Tok.SepId));
        Assert.Equal("sleeps. <eos> <pad>", Tok.Decode([.. Tok.Encode("sleeps."), Tok.EosId, Tok.PadId]));
        Assert.Equal("sleeps.", Tok.Decode([.. Tok.Encode("sleeps."), Tok.EosId, Tok.PadId], skipSpecialTokens: true));

        var e1 = Assert.Throws<ArgumentException>(() => Tok.Encode("the dog zebras."));
        Assert.Contains("unknown word \"zebras\" (word 3", e1.Message);
        Assert.Throws<ArgumentException>(() => Tok.Encode("the dog <eos>"));
        Assert.Throws<ArgumentOutOfRangeException>(() => Tok.Decode([Tok.VocabSize]));
    }

    [Fact]
    public void Chat_template_must_put_the_separator_between_prompt_and_response()
    {
        var ex = SyntheticTask.ChatTemplate.Encode(Tok, "the dog", "sleeps.");
        Assert.Equal([.. Tok.Encode("the dog"), Tok.SepId, .. Tok.Encode("sleeps."), Tok.EosId], ex.Ids);
        Assert.Equal(3, ex.PromptLength);
        Assert.Equal([0, 0, 0, 1, 1, 1], ex.ResponseMask);
        Assert.True(Fluency.IsValid(SyntheticTask.ChatTemplate.FormatPrompt("the dog"), "sleeps."));
    }

    [Fact]
    public void Vocabulary_file_must_load_back_as_the_same_tokenizer()
    {
        var path = Path.Combine(Path.GetTempPath(), $"vocab-{Guid.NewGuid():N}.txt");
        try
        {
            Tok.Save(path);
            Assert.Equal(Tok.Tokens, WordTokenizer.Load(path).Tokens);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Recognizer_must_accept_every_base_distribution_sample()
    {
        Assert.All(_data.Sft.Train, e => Assert.True(Fluency.IsValid(e.Prompt, e.Response), $"{e.Prompt} | {e.Response}: {Fluency.Check(e.Prompt, e.Response).Error}"));
        Assert.All(_data.Preferences.Eval, e => Assert.True(Fluency.IsValid(e.Prompt, e.Chosen) && Fluency.IsValid(e.Prompt, e.Rejected)));
        Assert.All(_data.Rankings.Eval, e => Assert.All(e.Responses, r => Assert.True(Fluency.IsValid(e.Prompt, r))));
        Assert.Equal(100.0, SyntheticTask.Evaluate(_data.Sft.Eval.Select(e => (e.Prompt, e.Response))).FluencyPercent);
    }

    [Theory]
    [InlineData("the dog", "helps the cat.")]
    [InlineData("the dog", "sleeps with the cat.")]
    [InlineData("my small kind dog often", "helps your red old farmer warmly.")]
    [InlineData("every child", "is happy.")]
    [InlineData("every child", "laughs.")]
    public void Recognizer_must_accept_the_grammar_forms(string prompt, string response)
    {
        var r = Fluency.Check(prompt, response);
        Assert.True(r.IsValid, r.Error);
        Assert.True(Fluency.IsSentence(prompt + " " + response));
    }

    [Theory]
    [InlineData("the dog", "helps the.", "noun")]                       // missing noun
    [InlineData("the dog", "helps the happy.", "noun")]
    [InlineData("the dog", "helps sees the cat.", "determiner")]        // two verbs
    [InlineData("the dog", "sleeps smiles.", "\".\"")]
    [InlineData("the dog", "sleeps", "\".\"")]                            // no period
    [InlineData("the dog", "helps the cat", "\".\"")]
    [InlineData("the dog", "sleeps. the", "end of the sentence")]       // words after the period
    [InlineData("the dog", "is.", "adjective")]
    [InlineData("the dog", "helps the big red old cat.", "at most 2 adjectives")]
    [InlineData("the dog", "sleeps zebras.", "unknown word \"zebras\"")]
    [InlineData("the dog", "", "empty response")]
    [InlineData("the", "sleeps.", "noun")]                              // the prompt counts too
    [InlineData("dog the", "sleeps.", "determiner")]
    public void Recognizer_must_reject_broken_sentences(string prompt, string response, string because)
    {
        var r = Fluency.Check(prompt, response);
        Assert.False(r.IsValid);
        Assert.Contains(because, r.Error);
    }

    [Fact]
    public void Fluency_on_ids_must_require_eos_right_after_the_period()
    {
        var prompt = SyntheticTask.ChatTemplate.EncodePrompt(Tok, "the dog");
        int[] sentence = Tok.Encode("sleeps warmly.");
        Assert.True(Fluency.CheckIds(Tok, prompt, [.. sentence, Tok.EosId]).IsValid);
        Assert.True(Fluency.CheckIds(Tok, [Tok.PadId, .. prompt], [.. sentence, Tok.EosId, Tok.PadId, Tok.PadId]).IsValid);
        Assert.True(Fluency.CheckIds(Tok, prompt.Select(i => (long)i), sentence.Append(Tok.EosId).Select(i => (long)i)).IsValid);
        Assert.Contains("no EOS", Fluency.CheckIds(Tok, prompt, sentence).Error);
        Assert.Contains("tokens after EOS", Fluency.CheckIds(Tok, prompt, [.. sentence, Tok.EosId, .. sentence]).Error);
        Assert.False(Fluency.CheckIds(Tok, prompt, [.. Tok.Encode("sleeps warmly"), Tok.EosId]).IsValid);
        Assert.False(Fluency.CheckIds(Tok, prompt, [Tok.EosId]).IsValid);
    }

    [Fact]
    public void Random_word_strings_must_not_be_fluent()
    {
        var rng = new SeededRandom(3);
        var words = Lexicon.Words.ToArray();
        var pairs = _data.Prompts.Eval.Select(p =>
            (p.Prompt, Lexicon.Join(Enumerable.Range(0, 2 + rng.NextInt(6)).Select(_ => rng.Pick(words)).Append(".")))).ToList();
        Assert.InRange(Fluency.Percent(pairs), 0, 3);
        // shuffling the words of real responses breaks them too
        var shuffled = _data.Sft.Eval.Where(e => Lexicon.Split(e.Response).Length >= 4).Select(e =>
        {
            var w = Lexicon.Split(e.Response)[..^1];
            rng.Shuffle(w);
            return (e.Prompt, Lexicon.Join([.. w, "."]));
        });
        Assert.InRange(Fluency.Percent(shuffled), 0, 20);
    }

    [Theory]
    [InlineData("the dog", "loves the lovely cat warmly.", 6)]       // +2 +2 +2
    [InlineData("the dog", "hates the cruel cat bitterly.", -6)]
    [InlineData("the dog", "helps the sad cat.", 0)]                 // +1 -1
    [InlineData("the dog", "sees the old cat quickly.", 0)]          // neutral words
    [InlineData("the cruel dog", "is happy.", 1)]                    // the prompt does not count
    [InlineData("the dog", "sings with my kind brave friend gladly.", 4)]
    public void Hidden_scorer_must_sum_the_sentiments_of_the_response_words(string prompt, string response, double expected)
    {
        Assert.Equal(expected, HiddenPreference.Default.Score(prompt, response));
    }

    [Fact]
    public void Hidden_scorer_must_ignore_unknown_words_and_cap_run_on_responses()
    {
        Assert.Equal(1, HiddenPreference.Default.Score("x", "zebras happy"));
        var runOn = string.Join(" ", Enumerable.Repeat("lovely", 40));
        Assert.Equal(2 * 16, HiddenPreference.Default.Score("the dog", runOn));
        Assert.Equal(0.5, HiddenPreference.PreferenceProbability(3, 3, 0.75));
        Assert.Equal(1 / (1 + Math.Exp(-2)), HiddenPreference.PreferenceProbability(2, 1, 0.5), 12);
    }

    [Fact]
    public void Every_open_class_must_mirror_positive_and_negative_words()
    {
        foreach (var c in new[] { WordClass.Adjective, WordClass.TransitiveVerb, WordClass.IntransitiveVerb, WordClass.Adverb })
        {
            var s = Lexicon.WordsOf(c).Select(HiddenPreference.Sentiment).ToArray();
            Assert.Equal(s.Where(x => x > 0).Order(), s.Where(x => x < 0).Select(x => -x).Order());
            Assert.Contains(0, s);
        }
        Assert.All(Lexicon.Entries.Where(e => e.Class is WordClass.Determiner or WordClass.Noun or WordClass.FrequencyAdverb),
            e => Assert.Equal(0, e.Sentiment));
    }

    [Fact]
    public void Base_distribution_must_be_neutral_on_average()
    {
        var report = SyntheticTask.Evaluate(_data.Sft.Train.Select(e => (e.Prompt, e.Response)));
        Assert.InRange(report.MeanReward, -3 * report.StdError, 3 * report.StdError);
        Assert.InRange(report.RewardStd, 1.0, 2.0);
    }

    [Fact]
    public void Label_agreement_must_lie_in_the_designed_band()
    {
        var agreement = SyntheticTask.LabelAgreement(_data.Preferences.Train);
        Assert.InRange(agreement, 0.85, 0.90);
        Assert.InRange(SyntheticTask.LabelAgreement(_data.Preferences.Eval), 0.80, 0.95);   // 500 pairs: +-1.5% noise
        // no ties: every pair has a right answer
        Assert.All(_data.Preferences.Train, e => Assert.NotEqual(HiddenPreference.Default.Score(e.Prompt, e.Chosen), HiddenPreference.Default.Score(e.Prompt, e.Rejected)));
        // rankings: the labelled best is a true best most of the time
        Assert.InRange(SyntheticTask.RankingAgreement(_data.Rankings.Train), 0.7, 0.9);
        // less noise, more agreement
        var sharp = SyntheticTask.Generate(1, SyntheticSizes.All(1000), new LabelNoise(0.3, 0.3));
        Assert.True(SyntheticTask.LabelAgreement(sharp.Preferences.Train) > 0.95);
    }

    [Fact]
    public void A_bag_of_words_reward_model_trained_on_the_labels_must_pass_the_demo_accuracy_target()
    {
        // The simplest possible reward model: r(x, y) = sum of learned per-word weights of the response,
        // fitted by Bradley-Terry SGD on the noisy train pairs. If it clears 0.75 held-out, the data is learnable.
        var w = new double[Tok.VocabSize];
        double R(string response) => Tok.Encode(response).Sum(id => w[id]);
        var rng = new SeededRandom(9);
        var train = _data.Preferences.Train.ToArray();
        for (var epoch = 0; epoch < 5; epoch++)
        {
            rng.Shuffle(train);
            foreach (var e in train)
            {
                var g = 1 - 1 / (1 + Math.Exp(-(R(e.Chosen) - R(e.Rejected))));   // d(-log sigma(z))/dz = -(1 - sigma(z))
                foreach (var id in Tok.Encode(e.Chosen)) w[id] += 0.05 * g;
                foreach (var id in Tok.Encode(e.Rejected)) w[id] -= 0.05 * g;
            }
        }
        var accuracy = _data.Preferences.Eval.Average(e => R(e.Chosen) > R(e.Rejected) ? 1.0 : 0.0);
        Assert.InRange(accuracy, 0.80, SyntheticTask.LabelAgreement(_data.Preferences.Eval) + 0.01);
    }

    [Fact]
    public void Best_of_8_base_samples_must_be_clearly_above_the_base_mean()
    {
        var prompts = _data.Prompts.Eval.Select(p => p.Prompt).ToList();
        var baseline = SyntheticTask.Evaluate(_data.Sft.Eval.Select(e => (e.Prompt, e.Response)));
        var best = SyntheticTask.Evaluate(SyntheticTask.BestOfN(SyntheticTask.DefaultSeed, prompts, 8));
        Assert.Equal(100.0, best.FluencyPercent);
        Assert.True(best.MeanReward - baseline.MeanReward > baseline.RewardStd,
            $"best-of-8 {best} vs base {baseline}: less than one base std of headroom");
        Assert.True(best.ImprovementInStdErrors(baseline) > 20);
    }

    [Fact]
    public void Evaluate_must_report_mean_standard_error_fluency_and_length()
    {
        var r = SyntheticTask.Evaluate([("the dog", "loves the cat."), ("the dog", "hates the cat."), ("the dog", "is happy"), ("the dog", "laughs.")]);
        Assert.Equal(4, r.Count);
        Assert.Equal((2 - 2 + 1 + 2) / 4.0, r.MeanReward, 12);
        var std = Math.Sqrt(new[] { 2.0, -2, 1, 2 }.Sum(x => (x - 0.75) * (x - 0.75)) / 3);
        Assert.Equal(std, r.RewardStd, 12);
        Assert.Equal(std / 2, r.StdError, 12);
        Assert.Equal(75.0, r.FluencyPercent);
        Assert.Equal((4 + 4 + 2 + 2) / 4.0, r.MeanLength);
        Assert.Equal(new EvaluationReport(0, 0, 0, 0, 0, 0), SyntheticTask.Evaluate([]));
    }

    [Fact]
    public void EvaluateIds_must_read_responses_up_to_eos_and_count_a_cut_off_response_as_not_fluent()
    {
        long[] Ids(string text, params int[] tail) => [.. Tok.Encode(text).Select(i => (long)i), .. tail.Select(i => (long)i)];
        var prompt = SyntheticTask.ChatTemplate.EncodePrompt(Tok, "the dog").Select(i => (long)i).ToArray();
        var r = SyntheticTask.EvaluateIds(
        [
            (prompt, Ids("loves the cat.", Tok.EosId, Tok.PadId)),
            (prompt, Ids("laughs.", Tok.EosId)),
            (prompt, Ids("helps the lovely")),                            // cut off: no ".", no EOS
        ]);
        Assert.Equal(3, r.Count);
        Assert.Equal((2 + 2 + 3) / 3.0, r.MeanReward, 12);
        Assert.Equal(200.0 / 3, r.FluencyPercent, 9);
        Assert.Equal((4 + 2 + 3) / 3.0, r.MeanLength, 12);
    }

    [Fact]
    public void WriteJsonl_must_write_every_split_in_the_common_formats()
    {
        var dir = Path.Combine(Path.GetTempPath(), "akka-rlhf-synth-" + Guid.NewGuid().ToString("N"));
        try
        {
            var data = SyntheticTask.Generate(5, SyntheticSizes.All(50, rankingK: 3));
            var files = data.WriteJsonl(dir);
            Assert.Equal(data.Sft.Train, JsonlDataset.Read<SftExample>(files.SftTrain).Items);
            Assert.Equal(data.Sft.Eval, JsonlDataset.Read<SftExample>(files.SftEval).Items);
            Assert.Equal(data.Preferences.Train, JsonlDataset.Read<PreferenceExample>(files.PreferenceTrain).Items);
            Assert.Equal(data.Preferences.Eval, JsonlDataset.Read<PreferenceExample>(files.PreferenceEval).Items);
            Assert.Equal(data.Rankings.Train, JsonlDataset.Read<RankingExample>(files.RankingTrain).Items);
            Assert.Equal(data.Rankings.Eval, JsonlDataset.Read<RankingExample>(files.RankingEval).Items);
            Assert.Equal(data.Prompts.Train, JsonlDataset.Read<PromptExample>(files.PromptTrain).Items);
            Assert.Equal(data.Prompts.Eval, JsonlDataset.Read<PromptExample>(files.PromptEval).Items);
            Assert.Equal(Tok.Tokens, WordTokenizer.Load(files.Vocabulary).Tokens);
            Assert.All(files.DataFiles, f => Assert.StartsWith(dir, f));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
