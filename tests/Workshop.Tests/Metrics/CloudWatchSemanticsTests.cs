using System.Text;
using StreamingWorkshop.Clock;
using StreamingWorkshop.Errors;
using StreamingWorkshop.Metrics;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Metrics;

/// <summary>
/// GetMetricStatistics, GetMetricData and alarms on datapoints recorded at chosen virtual times, each expected value
/// worked out from the datapoints written in the test.
/// </summary>
public sealed class CloudWatchSemanticsTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2025, 1, 14, 10, 0, 0, TimeSpan.Zero);
    private static readonly MetricDimension Stream = new("StreamName", "weather-stream");
    private static readonly MetricId Incoming = new("AWS/Kinesis", "IncomingRecords", [Stream]);

    private readonly TempWorkspace temp = new();
    private readonly VirtualClock clock = new(T0);
    private readonly MetricsLog log;
    private readonly LocalCloudWatch cloudWatch;

    public CloudWatchSemanticsTests()
    {
        log = new MetricsLog(temp.Workspace, clock);
        cloudWatch = new LocalCloudWatch(temp.Workspace, clock, log);
    }

    public void Dispose() => temp.Dispose();

    private void At(TimeSpan offset, double value, string metric = "IncomingRecords")
    {
        clock.AdvanceTo(T0 + offset);
        log.Record("AWS/Kinesis", metric, Stream, value, "Count");
    }

    private Task<MetricStatistics> Statistics(DateTimeOffset start, DateTimeOffset end, int period, params string[] statistics) =>
        cloudWatch.GetMetricStatisticsAsync(new MetricStatisticsRequest(Incoming, start, end, period, statistics));

    [Fact]
    public async Task Each_statistic_is_computed_over_the_period()
    {
        At(TimeSpan.FromSeconds(10), 4);
        At(TimeSpan.FromSeconds(20), 1);
        At(TimeSpan.FromSeconds(50), 7);

        var point = (await Statistics(T0, T0.AddMinutes(1), 60, "SampleCount", "Sum", "Average", "Minimum", "Maximum")).Datapoints.Single();

        Assert.Equal((3.0, 12.0, 4.0, 1.0, 7.0), (point.SampleCount!.Value, point.Sum!.Value, point.Average!.Value, point.Minimum!.Value, point.Maximum!.Value));
        Assert.Equal("Count", point.Unit);
        Assert.Equal(T0, point.Timestamp);
    }

    [Fact]
    public async Task Only_the_statistics_asked_for_are_returned()
    {
        At(TimeSpan.FromSeconds(10), 4);

        var point = (await Statistics(T0, T0.AddMinutes(1), 60, "Maximum")).Datapoints.Single();

        Assert.Equal(4, point.Maximum);
        Assert.Null(point.Sum);
        Assert.Null(point.SampleCount);
    }

    [Fact]
    public async Task Periods_start_at_the_start_time_taken_down_to_its_minute()
    {
        At(TimeSpan.FromMinutes(2) + TimeSpan.FromSeconds(5), 1);   // 10:02:05
        At(TimeSpan.FromMinutes(6) + TimeSpan.FromSeconds(59), 2);  // 10:06:59
        At(TimeSpan.FromMinutes(7), 3);                             // 10:07:00

        var points = (await Statistics(T0.AddMinutes(2).AddSeconds(30), T0.AddMinutes(12), 300, "Sum")).Datapoints;

        // From 10:02: [10:02, 10:07) holds 1 + 2, [10:07, 10:12) holds 3.
        Assert.Equal([(T0.AddMinutes(2), 3.0), (T0.AddMinutes(7), 3.0)], points.Select(p => (p.Timestamp, p.Sum!.Value)));
    }

    [Fact]
    public async Task A_period_with_no_data_has_no_datapoint()
    {
        At(TimeSpan.FromSeconds(30), 5);
        At(TimeSpan.FromMinutes(3) + TimeSpan.FromSeconds(30), 6);

        var points = (await Statistics(T0, T0.AddMinutes(5), 60, "Sum")).Datapoints;

        Assert.Equal([T0, T0.AddMinutes(3)], points.Select(p => p.Timestamp));
    }

    [Fact]
    public async Task The_end_time_is_not_included_and_another_dimension_is_another_metric()
    {
        At(TimeSpan.FromMinutes(1), 5);
        clock.AdvanceTo(T0.AddMinutes(1).AddSeconds(1));
        log.Record("AWS/Kinesis", "IncomingRecords", new MetricDimension("StreamName", "other-stream"), 9, "Count");

        Assert.Empty((await Statistics(T0, T0.AddMinutes(1), 60, "Sum")).Datapoints);
        Assert.Equal(5, (await Statistics(T0, T0.AddMinutes(2), 60, "Sum")).Datapoints.Single().Sum);
    }

    [Fact]
    public async Task A_unit_that_does_not_match_finds_nothing()
    {
        At(TimeSpan.FromSeconds(5), 5);

        var result = await cloudWatch.GetMetricStatisticsAsync(new MetricStatisticsRequest(Incoming, T0, T0.AddMinutes(1), 60, ["Sum"], Unit: "Bytes"));

        Assert.Empty(result.Datapoints);
    }

    [Fact]
    public async Task GetMetricData_returns_values_newest_first_and_leaves_out_queries_not_returned()
    {
        At(TimeSpan.FromSeconds(5), 1);
        At(TimeSpan.FromMinutes(1), 2);
        At(TimeSpan.FromMinutes(2), 4);

        var results = await cloudWatch.GetMetricDataAsync(
        [
            new MetricDataQuery("incoming", new MetricStat(Incoming, 60, "Sum")),
            new MetricDataQuery("hidden", new MetricStat(Incoming, 60, "Maximum"), ReturnData: false),
        ], T0, T0.AddMinutes(3));

        var result = Assert.Single(results);
        Assert.Equal("incoming", result.Id);
        Assert.Equal([T0.AddMinutes(2), T0.AddMinutes(1), T0], result.Timestamps);
        Assert.Equal([4.0, 2.0, 1.0], result.Values);
        Assert.Equal("Complete", result.StatusCode);
    }

    [Theory]
    [InlineData(90, "InvalidParameterValue", "90")]
    [InlineData(30, "InvalidParameterValue", "multiple of 60")]
    public async Task A_period_that_is_not_whole_minutes_is_refused(int period, string code, string named)
    {
        var error = await Assert.ThrowsAsync<ServiceException>(() => Statistics(T0, T0.AddHours(1), period, "Sum"));
        Assert.Equal(code, error.ErrorCode);
        Assert.Contains(named, error.Message);
    }

    [Fact]
    public async Task More_than_1440_datapoints_are_refused_and_a_statistic_must_be_known()
    {
        var tooMany = await Assert.ThrowsAsync<ServiceException>(() => Statistics(T0, T0.AddDays(2), 60, "Sum"));
        Assert.Equal("InvalidParameterCombination", tooMany.ErrorCode);
        Assert.Contains("2,880", tooMany.Message);

        var unknown = await Assert.ThrowsAsync<ServiceException>(() => Statistics(T0, T0.AddHours(1), 60, "Median"));
        Assert.Contains("Median", unknown.Message);
    }

    private static string Line(DateTimeOffset time, double value) =>
        $"{time.UtcTicks}\tAWS/Kinesis\tIncomingRecords\tStreamName=weather-stream\t{value}\tCount\n";

    [Fact]
    public async Task A_torn_last_line_left_by_a_killed_process_is_not_read()
    {
        var folder = temp.Workspace.EnsureFolder("metrics");
        // Another process wrote two datapoints and was killed in the middle of a third.
        File.WriteAllText(Path.Combine(folder, "datapoints-999999999.tsv"), Line(T0.AddSeconds(1), 2) + Line(T0.AddSeconds(2), 3) + Line(T0.AddSeconds(3), 100)[..40]);

        var point = (await Statistics(T0, T0.AddMinutes(1), 60, "Sum", "SampleCount")).Datapoints.Single();

        Assert.Equal((5.0, 2.0), (point.Sum!.Value, point.SampleCount!.Value));
    }

    [Fact]
    public async Task A_process_writing_to_a_file_with_a_torn_tail_cuts_the_tail_first()
    {
        var folder = temp.Workspace.EnsureFolder("metrics");
        // An earlier process with this process's id was killed mid-line.
        File.WriteAllText(Path.Combine(folder, $"datapoints-{Environment.ProcessId}.tsv"), Line(T0.AddSeconds(1), 2) + Line(T0.AddSeconds(2), 100)[..40]);

        At(TimeSpan.FromSeconds(5), 7);
        var point = (await Statistics(T0, T0.AddMinutes(1), 60, "Sum", "SampleCount")).Datapoints.Single();

        Assert.Equal((9.0, 2.0), (point.Sum!.Value, point.SampleCount!.Value));
        Assert.Equal(2, File.ReadAllText(Path.Combine(folder, $"datapoints-{Environment.ProcessId}.tsv")).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    // Alarms.

    private MetricAlarmDefinition Alarm(string treatMissingData = "missing", int evaluationPeriods = 3, int? datapointsToAlarm = null) =>
        new("too-many", Incoming, "Sum", 60, evaluationPeriods, 5, "GreaterThanThreshold", datapointsToAlarm, treatMissingData);

    private async Task<MetricAlarm> StateAt(DateTimeOffset time)
    {
        clock.AdvanceTo(time);
        return (await cloudWatch.DescribeAlarmsAsync()).Single();
    }

    [Fact]
    public async Task A_new_alarm_has_insufficient_data_until_it_is_evaluated()
    {
        await cloudWatch.PutMetricAlarmAsync(Alarm());
        var stored = File.ReadAllText(temp.Workspace.Resolve("metrics", "alarms.json"));

        Assert.Contains("\"StateValue\":\"INSUFFICIENT_DATA\"", stored);
        Assert.Contains("Unchecked: Initial alarm creation", stored);
    }

    [Fact]
    public async Task Three_breaching_minutes_out_of_three_raise_the_alarm_and_a_quiet_one_clears_it()
    {
        await cloudWatch.PutMetricAlarmAsync(Alarm());
        At(TimeSpan.FromSeconds(10), 6);
        At(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(10), 7);
        At(TimeSpan.FromMinutes(2) + TimeSpan.FromSeconds(10), 8);

        // At 10:02:30 the running minute is not judged: 10:00 and 10:01 breach, 09:59 is missing.
        var early = await StateAt(T0.AddMinutes(2).AddSeconds(30));
        Assert.Equal("OK", early.StateValue);

        var raised = await StateAt(T0.AddMinutes(3));
        Assert.Equal("ALARM", raised.StateValue);
        Assert.Equal(T0.AddMinutes(3), raised.StateUpdatedTimestamp);
        Assert.Equal("Threshold Crossed: 3 out of the last 3 datapoints [8.0 (14/01/25 10:02:00), 7.0 (14/01/25 10:01:00), 6.0 (14/01/25 10:00:00)] " +
            "were greater than the threshold (5.0) (minimum 3 datapoints for OK -> ALARM transition).", raised.StateReason);

        At(TimeSpan.FromMinutes(3) + TimeSpan.FromSeconds(10), 1);
        var cleared = await StateAt(T0.AddMinutes(4));
        Assert.Equal("OK", cleared.StateValue);
        // One quiet minute of three: the verb agrees with the one, and it takes one such minute to end an ALARM of 3 of 3.
        Assert.Equal("Threshold Crossed: 1 out of the last 3 datapoints [1.0 (14/01/25 10:03:00), 8.0 (14/01/25 10:02:00), 7.0 (14/01/25 10:01:00)] " +
            "was not greater than the threshold (5.0) (minimum 1 datapoint for ALARM -> OK transition).", cleared.StateReason);
    }

    [Theory]
    [InlineData(1000, "1000.0")]
    [InlineData(7_200_000, "7200000.0")]
    [InlineData(86_400_000, "8.64E7")]
    [InlineData(10_000_000, "1.0E7")]
    [InlineData(123_456_789, "1.23456789E8")]
    [InlineData(1.5e20, "1.5E20")]
    [InlineData(0.001, "0.001")]
    [InlineData(0.0001, "1.0E-4")]
    [InlineData(0.000015, "1.5E-5")]
    [InlineData(23.196333333333335, "23.196333333333335")]
    [InlineData(-2.5, "-2.5")]
    [InlineData(0, "0.0")]
    public void A_reasons_numbers_are_written_as_CloudWatch_writes_them(double value, string written) =>
        Assert.Equal(written, AlarmEvaluation.JavaNumber(value));

    [Fact]
    public async Task Datapoints_to_alarm_lets_m_out_of_n_breaches_raise_it()
    {
        await cloudWatch.PutMetricAlarmAsync(Alarm(datapointsToAlarm: 2));
        At(TimeSpan.FromSeconds(10), 6);
        At(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(10), 1);
        At(TimeSpan.FromMinutes(2) + TimeSpan.FromSeconds(10), 9);

        var alarm = await StateAt(T0.AddMinutes(3));

        Assert.Equal("ALARM", alarm.StateValue);
        Assert.Contains("minimum 2 datapoints for OK -> ALARM transition", alarm.StateReason);
    }

    [Theory]
    [InlineData("missing", "INSUFFICIENT_DATA")]
    [InlineData("notBreaching", "OK")]
    [InlineData("breaching", "ALARM")]
    [InlineData("ignore", "INSUFFICIENT_DATA")]
    public async Task With_no_data_at_all_the_state_follows_treat_missing_data(string treatMissingData, string expected)
    {
        await cloudWatch.PutMetricAlarmAsync(Alarm(treatMissingData));

        var alarm = await StateAt(T0.AddMinutes(10));

        Assert.Equal(expected, alarm.StateValue);
        if (treatMissingData == "breaching") Assert.Equal("No datapoints were received for 3 periods and 3 missing datapoints were treated as [Breaching].", alarm.StateReason);
        if (treatMissingData == "notBreaching") Assert.Equal("No datapoints were received for 3 periods and 3 missing datapoints were treated as [NonBreaching].", alarm.StateReason);
        if (treatMissingData == "missing") Assert.Equal("Insufficient Data: 3 datapoints were unknown.", alarm.StateReason);
        if (treatMissingData == "ignore") Assert.Equal("Unchecked: Initial alarm creation", alarm.StateReason);
    }

    [Theory]
    [InlineData("missing", "INSUFFICIENT_DATA")]
    [InlineData("notBreaching", "OK")]
    [InlineData("breaching", "ALARM")]
    [InlineData("ignore", "ALARM")]
    public async Task When_the_metric_stops_after_an_alarm_treat_missing_data_decides(string treatMissingData, string expected)
    {
        await cloudWatch.PutMetricAlarmAsync(Alarm(treatMissingData, evaluationPeriods: 2));
        At(TimeSpan.FromSeconds(10), 6);
        At(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(10), 6);
        Assert.Equal("ALARM", (await StateAt(T0.AddMinutes(2))).StateValue);

        // Ten minutes later no datapoint is left in the last two periods.
        Assert.Equal(expected, (await StateAt(T0.AddMinutes(12))).StateValue);
    }

    [Fact]
    public async Task Missing_periods_among_present_ones_count_as_treat_missing_data_says()
    {
        await cloudWatch.PutMetricAlarmAsync(Alarm("breaching"));
        At(TimeSpan.FromMinutes(2) + TimeSpan.FromSeconds(10), 9);

        var alarm = await StateAt(T0.AddMinutes(3));

        Assert.Equal("ALARM", alarm.StateValue);
        Assert.Contains("(2 missing datapoints treated as breaching)", alarm.StateReason);
    }

    [Fact]
    public async Task Updating_an_alarm_keeps_its_state_and_deleting_it_removes_it()
    {
        await cloudWatch.PutMetricAlarmAsync(Alarm("breaching"));
        Assert.Equal("ALARM", (await StateAt(T0.AddMinutes(5))).StateValue);

        await cloudWatch.PutMetricAlarmAsync(Alarm("breaching") with { Threshold = 50 });
        var stored = File.ReadAllText(temp.Workspace.Resolve("metrics", "alarms.json"));
        Assert.Contains("\"Threshold\":50", stored);
        Assert.Contains("\"StateValue\":\"ALARM\"", stored);

        await cloudWatch.DeleteAlarmsAsync(["too-many"]);
        Assert.Empty(await cloudWatch.DescribeAlarmsAsync());
        var missing = await Assert.ThrowsAsync<ServiceException>(() => cloudWatch.DeleteAlarmsAsync(["too-many"]));
        Assert.Equal("ResourceNotFound", missing.ErrorCode);
        Assert.Contains("too-many", missing.Message);
    }

    [Theory]
    [InlineData("ComparisonOperator", "Above")]
    [InlineData("TreatMissingData", "skip")]
    [InlineData("DatapointsToAlarm", "4")]
    [InlineData("Period", "45")]
    public async Task A_bad_alarm_setting_is_refused_naming_the_value(string member, string value)
    {
        var alarm = member switch
        {
            "ComparisonOperator" => Alarm() with { ComparisonOperator = value },
            "TreatMissingData" => Alarm() with { TreatMissingData = value },
            "DatapointsToAlarm" => Alarm(datapointsToAlarm: int.Parse(value)),
            _ => Alarm() with { Period = int.Parse(value) },
        };

        var error = await Assert.ThrowsAnyAsync<ServiceException>(() => cloudWatch.PutMetricAlarmAsync(alarm));

        Assert.Contains(value, error.Message);
        Assert.False(File.Exists(temp.Workspace.Resolve("metrics", "alarms.json")));
    }
}
