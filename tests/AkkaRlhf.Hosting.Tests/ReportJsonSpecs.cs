using System.Text.Json;
using AkkaRlhf.Hosting.Reporting;

namespace AkkaRlhf.Hosting.Tests;

public sealed class ReportJsonSpecs : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("akka-rlhf-report-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Report_json_round_trips_every_member()
    {
        var report = SampleReports.Full();
        ReportWriter.Write(_dir, report);

        var read = ReportReader.Read(Path.Combine(_dir, "report.json"));

        Assert.Equal(report.RunId, read.RunId);
        Assert.Equal(report.Seed, read.Seed);
        Assert.Equal(report.Started, read.Started);
        Assert.Equal(report.TotalSeconds, read.TotalSeconds);
        Assert.Equal(report.Stages, read.Stages);
        Assert.Equal(report.Series.Count, read.Series.Count);
        foreach (var (expected, actual) in report.Series.Zip(read.Series))
        {
            Assert.Equal((expected.Stage, expected.Name), (actual.Stage, actual.Name));
            Assert.Equal(expected.Points, actual.Points); // NaN included: records compare doubles with Equals
        }
        Assert.Equal(report.Comparison, read.Comparison);
        Assert.Equal(report.RewardModelAccuracy, read.RewardModelAccuracy);
        Assert.Equal(report.Targets, read.Targets);
        Assert.Equal(report.BetaSweep, read.BetaSweep);
        Assert.Equal(report.Settings.OrderBy(kv => kv.Key), read.Settings.OrderBy(kv => kv.Key));
    }

    [Fact]
    public void Report_json_of_an_empty_report_round_trips()
    {
        ReportWriter.Write(_dir, SampleReports.Empty());

        var read = ReportReader.Read(_dir);

        Assert.Null(read.RewardModelAccuracy);
        Assert.Empty(read.Series);
        Assert.Empty(read.Settings);
    }

    [Fact]
    public void Report_json_is_camel_case_indented_with_sorted_settings()
    {
        var json = ReportJson.Serialize(SampleReports.Full());

        Assert.Contains("\n  \"runId\": ", json);
        Assert.Contains("\"rewardModelAccuracy\": 0.81", json);
        Assert.Contains("\"trueRewardStdErr\"", json);
        var settings = JsonDocument.Parse(json).RootElement.GetProperty("settings").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Equal(settings.Order(StringComparer.Ordinal), settings);
    }

    [Fact]
    public void Report_json_is_the_same_text_every_time()
    {
        var report = SampleReports.Full();

        Assert.Equal(ReportJson.Serialize(report), ReportJson.Serialize(ReportJson.Deserialize(ReportJson.Serialize(report))));
    }

    [Fact]
    public void Reading_a_file_that_is_not_a_report_fails_clearly()
    {
        var path = Path.Combine(_dir, "report.json");
        File.WriteAllText(path, "{ \"runId\": [1, 2] }");

        var error = Assert.Throws<InvalidDataException>(() => ReportReader.Read(path));
        Assert.Contains("report.json", error.Message);
        Assert.Throws<FileNotFoundException>(() => ReportReader.Read(Path.Combine(_dir, "missing")));
    }
}
