using AkkaRlhf.Models.Data;

namespace AkkaRlhf.Models.Tests;

public sealed class DataSpecs : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "akka-rlhf-data-" + Guid.NewGuid().ToString("N"));

    public DataSpecs() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    private string File(string name, params string[] lines)
    {
        var path = Path.Combine(_dir, name);
        System.IO.File.WriteAllText(path, string.Join("\n", lines) + "\n");
        return path;
    }

    private const string GoodPref = """{"prompt":"p","chosen":"a","rejected":"b"}""";
    private const string GoodRank = """{"prompt":"p","responses":["a","b","c"],"best":2}""";

    public static TheoryData<string, string?, string> BadPreferenceRows => new()
    {
        { """{"prompt":"p","rejected":"b"}""", "chosen", "missing" },
        { """{"prompt":"p","chosen":3,"rejected":"b"}""", "chosen", "expected a string, got a number" },
        { """{"prompt":"p","chosen":"a","rejected":""}""", "rejected", "empty string" },
        { """{"prompt":null,"chosen":"a","rejected":"b"}""", "prompt", "is null" },
        { """{"prompt":"p","chosen":"a","rejected":["b"]}""", "rejected", "expected a string, got an array" },
        { """{"prompt":"p","chosen":"a",""", null, "invalid JSON" },
        { """["p","a","b"]""", null, "expected a JSON object, got an array" },
    };

    [Theory]
    [MemberData(nameof(BadPreferenceRows))]
    public void Reader_must_name_file_line_and_field_of_a_bad_row(string row, string? field, string reason)
    {
        var path = File("prefs.jsonl", GoodPref, "", GoodPref, row, GoodPref);
        var e = Assert.Throws<DatasetException>(() => JsonlDataset.Read<PreferenceExample>(path));
        Assert.Equal(path, e.Path);
        Assert.Equal(4, e.Line);            // blank lines count as lines
        Assert.Equal(field, e.Field);
        Assert.StartsWith(field is null ? $"{path}:4: {reason}" : $"{path}:4: field \"{field}\": {reason}", e.Message);
    }

    public static TheoryData<string, string, string> BadRankingRows => new()
    {
        { """{"prompt":"p","responses":["a","b"],"best":2}""", "best", "out of range: 2 (responses has 2)" },
        { """{"prompt":"p","responses":["a","b"],"best":-1}""", "best", "out of range: -1 (responses has 2)" },
        { """{"prompt":"p","responses":["a"],"best":0}""", "responses", "needs at least 2 elements, got 1" },
        { """{"prompt":"p","responses":["a",""],"best":0}""", "responses", "element 1: empty string" },
        { """{"prompt":"p","responses":["a",7],"best":0}""", "responses", "element 1: expected a string, got a number" },
        { """{"prompt":"p","responses":"a b","best":0}""", "responses", "expected an array of strings, got a string" },
        { """{"prompt":"p","responses":["a","b"],"best":0.5}""", "best", "expected an integer, got 0.5" },
        { """{"prompt":"p","responses":["a","b"],"best":"1"}""", "best", "expected an integer, got a string" },
        { """{"prompt":"p","responses":["a","b"]}""", "best", "missing" },
    };

    [Theory]
    [MemberData(nameof(BadRankingRows))]
    public void Reader_must_reject_each_kind_of_bad_ranking_with_its_field(string row, string field, string reason)
    {
        var path = File("rank.jsonl", GoodRank, row);
        var e = Assert.Throws<DatasetException>(() => JsonlDataset.Read<RankingExample>(path));
        Assert.Equal(2, e.Line);
        Assert.Equal(field, e.Field);
        Assert.Equal($"{path}:2: field \"{field}\": {reason}", e.Message);
    }

    [Fact]
    public void Reader_must_ignore_blank_lines_and_unknown_fields()
    {
        var path = File("sft.jsonl", "", """{"prompt":"hi","response":"there","source":"web","score":0.5,"meta":{"a":[1]}}""", "   ", "\t", """{"response":"b","prompt":"a"}""");
        var r = JsonlDataset.Read<SftExample>(path);
        Assert.Equal([new SftExample("hi", "there"), new SftExample("a", "b")], r.Items);
        Assert.Equal(0, r.Skipped);
    }

    [Fact]
    public void SkipInvalid_must_count_bad_rows_keep_the_first_reasons_and_continue()
    {
        var path = File("prefs.jsonl",
            GoodPref,
            """{"prompt":"p","rejected":"b"}""",
            "not json",
            GoodPref,
            """{"prompt":"","chosen":"a","rejected":"b"}""",
            """{"prompt":"p","chosen":"a","rejected":1}""",
            GoodPref);
        var r = JsonlDataset.Read<PreferenceExample>(path, new JsonlReadOptions(SkipInvalid: true, MaxReasons: 3));
        Assert.Equal(3, r.Count);
        Assert.Equal(4, r.Skipped);
        Assert.Equal(3, r.SkipReasons.Count);
        Assert.Equal($"{path}:2: field \"chosen\": missing", r.SkipReasons[0]);
        Assert.StartsWith($"{path}:3: invalid JSON", r.SkipReasons[1]);
        Assert.Equal($"{path}:5: field \"prompt\": empty string", r.SkipReasons[2]);

        var stats = new JsonlReadStats();
        Assert.Equal(3, JsonlDataset.Stream<PreferenceExample>(path, JsonlReadOptions.Lenient, stats).Count());
        Assert.Equal((3, 4), (stats.Read, stats.Skipped));
    }

    [Fact]
    public void Reader_must_stream_lazily_and_fail_only_when_it_reaches_the_bad_row()
    {
        var path = File("prompts.jsonl", """{"prompt":"a"}""", """{"prompt":"b"}""", """{"prompt":2}""");
        Assert.Equal(["a", "b"], JsonlDataset.Stream<PromptExample>(path).Take(2).Select(p => p.Prompt));
        var e = Assert.Throws<DatasetException>(() => JsonlDataset.Stream<PromptExample>(path).ToList());
        Assert.Equal((3, "prompt"), (e.Line, e.Field));
        Assert.Throws<DatasetException>(() => JsonlDataset.Stream<PromptExample>(Path.Combine(_dir, "absent.jsonl")));
    }

    [Fact]
    public void Writer_and_reader_must_round_trip_every_format()
    {
        const string tricky = "quote \" backslash \\ newline \n tab \t unicode Grüße 世界 🎉 </script>";
        SftExample[] sft = [new("p1", "r1"), new(tricky, tricky + "!")];
        PreferenceExample[] prefs = [new("p", "good", "bad"), new(tricky, "a", tricky)];
        RankingExample[] ranks = [new("p", ["x", "y"], 1), new(tricky, ["a", tricky, "c", "d"], 0)];
        PromptExample[] prompts = [new("p"), new(tricky)];

        Assert.Equal(2, JsonlDataset.Write(Path.Combine(_dir, "sub", "sft.jsonl"), sft));
        JsonlDataset.Write(Path.Combine(_dir, "prefs.jsonl"), prefs);
        JsonlDataset.Write(Path.Combine(_dir, "ranks.jsonl"), ranks);
        JsonlDataset.Write(Path.Combine(_dir, "prompts.jsonl"), prompts);

        Assert.Equal(sft, JsonlDataset.Read<SftExample>(Path.Combine(_dir, "sub", "sft.jsonl")).Items);
        Assert.Equal(prefs, JsonlDataset.Read<PreferenceExample>(Path.Combine(_dir, "prefs.jsonl")).Items);
        Assert.Equal(ranks, JsonlDataset.Read<RankingExample>(Path.Combine(_dir, "ranks.jsonl")).Items);
        Assert.Equal(prompts, JsonlDataset.Read<PromptExample>(Path.Combine(_dir, "prompts.jsonl")).Items);

        var lines = System.IO.File.ReadAllLines(Path.Combine(_dir, "ranks.jsonl"));
        Assert.Equal(2, lines.Length);   // one record per line: newlines inside strings are escaped
        Assert.Equal("""{"prompt":"p","responses":["x","y"],"best":1}""", lines[0]);
        Assert.Contains("世界", lines[1]);
    }

    [Fact]
    public void Iterator_must_visit_every_item_once_per_epoch_in_a_seeded_order()
    {
        var items = Enumerable.Range(0, 10).ToArray();
        var it = new DatasetIterator<int>(items, batchSize: 4, seed: 5);
        Assert.Equal(3, it.BatchesPerEpoch);
        var epoch0 = it.Take(3).ToList();
        Assert.Equal([4, 4, 2], epoch0.Select(b => b.Count));
        Assert.Equal(items, epoch0.SelectMany(b => b).Order());
        Assert.Equal(new DataCursor(1, 0), it.Cursor);
        var epoch1 = it.Take(3).SelectMany(b => b).ToList();
        Assert.Equal(items, epoch1.Order());
        Assert.NotEqual(epoch0.SelectMany(b => b), epoch1);   // a new order each epoch

        var again = new DatasetIterator<int>(items, 4, seed: 5).Take(6).SelectMany(b => b);
        Assert.Equal(epoch0.SelectMany(b => b).Concat(epoch1), again);
        Assert.NotEqual(again, new DatasetIterator<int>(items, 4, seed: 6).Take(6).SelectMany(b => b));
        Assert.Equal(items.Concat(items), new DatasetIterator<int>(items, 4, seed: 5, shuffle: false).Take(6).SelectMany(b => b));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Iterator_resumed_from_a_cursor_must_equal_an_uninterrupted_run(bool dropLast)
    {
        var items = Enumerable.Range(100, 23).ToArray();
        var full = new DatasetIterator<int>(items, batchSize: 5, seed: 42, dropLast: dropLast).Take(20).ToList();
        for (var stop = 0; stop <= 20; stop++)
        {
            var first = new DatasetIterator<int>(items, 5, seed: 42, dropLast: dropLast);
            first.Take(stop).ToList();
            var saved = first.Cursor with { };          // what a checkpoint would persist
            var resumed = new DatasetIterator<int>(items, 5, seed: 42, dropLast: dropLast, cursor: saved);
            Assert.Equal(full.Skip(stop).Select(b => b.ToArray()), resumed.Take(20 - stop).Select(b => b.ToArray()));
        }
        if (dropLast) Assert.All(full, b => Assert.Equal(5, b.Count));
    }

    [Fact]
    public void Iterator_must_reject_a_cursor_outside_the_dataset_and_normalise_an_epoch_end()
    {
        var it = new DatasetIterator<int>([1, 2, 3], 2, seed: 1);
        Assert.Throws<ArgumentOutOfRangeException>(() => it.Seek(new DataCursor(0, 4)));
        Assert.Throws<ArgumentOutOfRangeException>(() => it.Seek(new DataCursor(-1, 0)));
        it.Seek(new DataCursor(2, 3));
        Assert.Equal(new DataCursor(3, 0), it.Cursor);
        Assert.Throws<ArgumentException>(() => new DatasetIterator<int>([], 2, seed: 1));
        Assert.Throws<ArgumentException>(() => new DatasetIterator<int>([1], 2, seed: 1, dropLast: true));
    }

    [Fact]
    public void Seeded_random_must_give_the_same_numbers_on_every_platform()
    {
        var r = new SeededRandom(42);
        Assert.Equal([13583771085161268UL, 395782336197462635UL, 10113986297222979544UL], [r.NextUInt64(), r.NextUInt64(), r.NextUInt64()]);
        Assert.Equal([5, 2, 6, 1, 3, 7, 4, 9, 8, 0], new SeededRandom(7).Permutation(10));
        Assert.Equal([5, 1, 9, 8, 0, 6, 4, 3, 2, 7], new SeededRandom(7, stream: 3).Permutation(10));
        var counts = new int[3];
        var u = new SeededRandom(1);
        for (var i = 0; i < 30000; i++) counts[u.PickWeighted([1.0, 2.0, 0.0])]++;
        Assert.Equal(0, counts[2]);
        Assert.InRange(counts[1] / 30000.0, 0.64, 0.69);
    }
}
