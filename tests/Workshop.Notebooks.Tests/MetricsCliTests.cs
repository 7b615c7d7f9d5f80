namespace Workshop.Notebooks.Tests;

/// <summary>
/// `workshop metrics` and `workshop alarms` on a workspace holding one simulated hour (three cities, a reading each a
/// minute, each read by the delivery stream one second after it was put), and their one-line refusals of bad input.
/// </summary>
public sealed class MetricsCliTests(MetricsCliTests.HourWorkspace hour) : IClassFixture<MetricsCliTests.HourWorkspace>
{
    public sealed class HourWorkspace : IDisposable
    {
        public string Folder { get; } = Directory.CreateTempSubdirectory("workshop-metrics-cli-").FullName;

        public HourWorkspace()
        {
            var (exit, _, stderr) = Run("simulate", "--duration", "1h", "--start", "2025-01-14T00:00:00Z");
            Assert.True(exit == 0, stderr);
        }

        public (int Exit, string Stdout, string Stderr) Run(params string[] arguments) =>
            Cli.Capture(Folder, new Dictionary<string, string> { ["WORKSHOP_WORKSPACE"] = Path.Combine(Folder, "ws") }, arguments);

        public void Dispose() => Directory.Delete(Folder, recursive: true);
    }

    private static void AssertOneClearLine((int Exit, string Stdout, string Stderr) result, params string[] fragments)
    {
        Assert.NotEqual(0, result.Exit);
        Assert.DoesNotContain("   at ", result.Stderr);
        var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        foreach (var fragment in fragments) Assert.Contains(fragment, line);
    }

    [Fact]
    public void Metrics_get_shows_one_row_per_period_with_data()
    {
        var (exit, stdout, _) = hour.Run("metrics", "get", "AWS/Kinesis", "IncomingRecords", "--period", "600", "--last", "2h");

        Assert.Equal(0, exit);
        Assert.Contains("AWS/Kinesis IncomingRecords (StreamName=weather-analytics-stream-dev): Sum per 10 min", stdout);
        // Three cities a minute: 30 records in each ten minutes of the hour, and no row for the hour before it.
        var rows = stdout.Split('\n').Where(l => l.StartsWith("2025-01-1", StringComparison.Ordinal)).Select(l => string.Join(' ', l.Split(' ', StringSplitOptions.RemoveEmptyEntries))).ToList();
        Assert.Equal(["2025-01-14 00:00 30 Count", "2025-01-14 00:10 30 Count", "2025-01-14 00:20 30 Count", "2025-01-14 00:30 30 Count", "2025-01-14 00:40 30 Count", "2025-01-14 00:50 30 Count"], rows);
    }

    [Fact]
    public void A_dimension_nothing_records_has_no_datapoints_and_a_note_naming_the_workshops_own()
    {
        var (exit, stdout, stderr) = hour.Run("metrics", "get", "AWS/Kinesis", "IncomingRecords", "--dimension", "weather-analytics-stream", "--last", "2h");

        Assert.Equal(0, exit);
        Assert.StartsWith("AWS/Kinesis IncomingRecords (StreamName=weather-analytics-stream): Sum per 5 min: no datapoints", stdout);
        Assert.Equal("Note: StreamName weather-analytics-stream is not the workshop's, weather-analytics-stream-dev (--dimension weather-analytics-stream-dev).",
            Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
        // The workshop's own name, given, has its datapoints and no note.
        var own = hour.Run("metrics", "get", "AWS/Kinesis", "IncomingRecords", "--dimension", "weather-analytics-stream-dev", "--last", "2h");
        Assert.Contains("2025-01-14 00:00", own.Stdout);
        Assert.Equal("", own.Stderr);
    }

    [Fact]
    public void Metrics_list_names_every_recorded_metric_with_its_unit()
    {
        var (exit, stdout, _) = hour.Run("metrics", "list");

        Assert.Equal(0, exit);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(17, lines.Length);
        Assert.Matches(@"^Namespace\s+Metric\s+Unit\s+Dimension$", lines[0]);
        Assert.Matches(@"^-{12} -{34} -{12} -{18}$", lines[1]);
        Assert.All(lines, l => Assert.True(l.Length <= 80, $"{l.Length} characters: {l}"));
        Assert.Contains("GetRecords.IteratorAgeMilliseconds", stdout);
        Assert.Matches(@"AWS/Firehose\s+DeliveryToS3.DataFreshness\s+Seconds\s+DeliveryStreamName", stdout);
    }

    [Fact]
    public void An_alarm_is_put_listed_in_its_state_and_deleted()
    {
        var put = hour.Run("alarms", "put", "slow-reader", "--namespace", "AWS/Kinesis", "--metric", "GetRecords.IteratorAgeMilliseconds",
            "--statistic", "Maximum", "--comparison", "GreaterThanThreshold", "--threshold", "500", "--evaluation-periods", "3");
        Assert.Equal(0, put.Exit);
        // Every minute's oldest read was one second (1,000 ms) behind: the last three minutes breach 500 ms.
        Assert.Contains("slow-reader", put.Stdout);
        Assert.Contains("ALARM", put.Stdout);
        Assert.Contains("Maximum > 500 for 3 of 3 x 60 s", put.Stdout);

        var list = hour.Run("alarms", "list");
        Assert.Equal(0, list.Exit);
        Assert.Contains("slow-reader", list.Stdout);
        Assert.Contains("Threshold Crossed: 3 out of the last 3 datapoints [1000", list.Stdout);

        var delete = hour.Run("alarms", "delete", "slow-reader");
        Assert.Equal(0, delete.Exit);
        Assert.Contains("Deleted slow-reader.", delete.Stdout);
        Assert.Contains("No alarms yet.", hour.Run("alarms", "list").Stdout);
    }

    [Fact]
    public void Bad_input_is_refused_in_one_line_naming_the_value()
    {
        AssertOneClearLine(hour.Run("metrics", "get", "AWS/Kinesis", "Nope"), "'Nope' is not a metric the kit records in AWS/Kinesis", "IncomingRecords");
        AssertOneClearLine(hour.Run("metrics", "get", "AWS/Kinesis", "IncomingRecords", "--period", "90"), "'90'", "multiple of 60");
        AssertOneClearLine(hour.Run("metrics", "get", "AWS/Kinesis", "IncomingRecords", "--period", "30"), "'30' is out of range");
        AssertOneClearLine(hour.Run("metrics", "get", "AWS/S3", "Objects"), "'AWS/S3'", "AWS/Kinesis");
        AssertOneClearLine(hour.Run("metrics", "get", "AWS/Kinesis", "IncomingRecords", "--statistic", "Median"), "'Median'");
        AssertOneClearLine(hour.Run("metrics", "get", "AWS/Kinesis", "IncomingRecords", "--last", "0m"), "'0m' is no time at all");
        AssertOneClearLine(hour.Run("alarms", "put", "x", "--namespace", "AWS/Lambda", "--metric", "Errors", "--comparison", "Above", "--threshold", "1"), "'Above'");
        AssertOneClearLine(hour.Run("alarms", "put", "x", "--namespace", "AWS/Lambda", "--metric", "Errors", "--comparison", "GreaterThanThreshold", "--threshold", "1",
            "--evaluation-periods", "2", "--datapoints-to-alarm", "3"), "--datapoints-to-alarm '3' is out of range");
        AssertOneClearLine(hour.Run("alarms", "put", "x", "--namespace", "AWS/Lambda", "--metric", "Errors", "--comparison", "GreaterThanThreshold", "--threshold", "1",
            "--treat-missing-data", "skip"), "'skip'");
        // DeleteAlarms's error is CloudWatch's ResourceNotFound, as the AWS CLI and boto3 name it.
        AssertOneClearLine(hour.Run("alarms", "delete", "no-such-alarm"), "ResourceNotFound: No alarm named no-such-alarm exists.");
    }
}
