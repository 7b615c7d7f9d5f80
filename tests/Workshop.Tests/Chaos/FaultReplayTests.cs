using StreamingWorkshop;
using StreamingWorkshop.Faults;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Chaos;

/// <summary>
/// Each fault switched on before a replay from 00:00 on 2025-01-14, its effect counted in the lake, in Athena and in
/// the metrics against figures worked out by hand. Without faults a 30-minute replay puts 30 minutes x 3 cities = 90
/// readings, one per city per minute (collection_time is the minute).
/// </summary>
public sealed class FaultReplayTests
{
    private static readonly DateTimeOffset Start = new(2025, 1, 14, 0, 0, 0, TimeSpan.Zero);

    private sealed class Replay(TempWorkspace temp, WorkshopSession session, StreamingWorkshop.Simulation.SimulationReport report) : IAsyncDisposable
    {
        public WorkshopSession Session { get; } = session;

        /// <summary>The replay's summary, as the notebook and `workshop simulate` show it.</summary>
        public StreamingWorkshop.Simulation.SimulationReport Report { get; } = report;

        public List<(string Key, string Line)> Lines => LakeFiles.Lines(temp.Root, Session.Names.LakeBucket, "weather-data/").ToList();

        /// <summary>The (city, collection minute) of every line in the lake.</summary>
        public List<string> Readings => Lines.Select(l => LakeFiles.Parse(l.Line)).Select(j => $"{j.GetProperty("city").GetString()} {j.GetProperty("collection_time").GetString()![11..16]}").ToList();

        public async Task<string> LogAsync() =>
            string.Join("\n", (await Session.Stages.ProducerLogs.TailAsync(Session.Names.ProducerFunction, 100_000)).Select(e => e.Message));

        public async Task<long> ScalarAsync(string sql) => (await Session.QueryAsync(sql)).Column<long>("n").Single();

        public async Task<double> MetricSumAsync(string ns, string name, string statistic = "Sum") =>
            (await Session.Metrics.StatisticsAsync(ns, name, 86_400, statistic, TimeSpan.FromDays(3))).Values.Sum();

        public async ValueTask DisposeAsync()
        {
            await Session.DisposeAsync();
            temp.Dispose();
        }
    }

    private static async Task<Replay> ReplayAsync(TimeSpan duration, Action<FaultsFacade> faults)
    {
        var temp = new TempWorkspace();
        var session = await StreamingWorkshop.Workshop.ConnectAsync(new WorkshopOptions { WorkspacePath = temp.Root });
        await session.EnsurePipelineAsync();
        faults(session.Faults);
        var report = await session.SimulateAsync(duration, Start, progress: new Progress<StreamingWorkshop.Simulation.SimulationProgress>());
        return new Replay(temp, session, report);
    }

    private const string CleanView = """
        CREATE OR REPLACE VIEW clean_weather_data AS
        SELECT location, year, month, day, city, measurement_time, temperature,
               MIN(collection_time) AS first_collected, COUNT(*) AS times_collected
        FROM raw_weather_data
        GROUP BY location, year, month, day, city, measurement_time, temperature
        """;

    [Fact]
    public async Task Five_duplicated_puts_add_five_lines_and_five_rows_and_nothing_to_the_view()
    {
        await using var replay = await ReplayAsync(TimeSpan.FromMinutes(30), f => f.DuplicatePuts(5));

        var readings = replay.Readings;
        Assert.Equal(95, readings.Count);
        // The first five puts are London, Manchester, Edinburgh at 00:00, then London and Manchester at 00:01.
        Assert.Equal(["Edinburgh 00:00", "London 00:00", "London 00:01", "Manchester 00:00", "Manchester 00:01"],
            readings.GroupBy(r => r).Where(g => g.Count() == 2).Select(g => g.Key).Order(StringComparer.Ordinal));
        var distinctReadings = replay.Lines.Select(l => LakeFiles.Parse(l.Line)).Select(j => $"{j.GetProperty("city")}|{j.GetProperty("measurement_time")}|{j.GetProperty("temperature")}").Distinct().Count();

        await replay.Session.CrawlAsync();
        Assert.Equal(95, await replay.ScalarAsync("SELECT COUNT(*) AS n FROM raw_weather_data"));
        await replay.Session.QueryAsync(CleanView);
        Assert.Equal(distinctReadings, await replay.ScalarAsync("SELECT COUNT(*) AS n FROM clean_weather_data"));

        var log = await replay.LogAsync();
        Assert.Equal(5, log.Split("No answer to the put of").Length - 1);
        Assert.Null(replay.Session.Faults.Plan.Plan.DuplicatePut);
        // The summary counts the 90 readings once each, and says which five the stream holds twice and why the lake has more.
        Assert.Equal("90 (stored as 95 records: 5 twice after a lost answer)", replay.Report.PutSummary);
        Assert.Equal("95 (5 more than put: the copies of the readings stored twice)", replay.Report.DeliveredSummary);
    }

    [Fact]
    public async Task A_rate_of_one_sends_every_put_twice()
    {
        await using var replay = await ReplayAsync(TimeSpan.FromMinutes(10), f => f.DuplicatePutRate(1));

        Assert.Equal(60, replay.Readings.Count);
        Assert.All(replay.Readings.GroupBy(r => r), g => Assert.Equal(2, g.Count()));
        // A rate stays on: it is not used up like a count.
        Assert.NotNull(replay.Session.Faults.Plan.Plan.DuplicatePut);
    }

    [Fact]
    public async Task A_rate_of_a_half_duplicates_about_half_the_puts_and_the_same_ones_on_every_replay()
    {
        List<string> Duplicated(Replay replay) => replay.Readings.GroupBy(r => r).Where(g => g.Count() == 2).Select(g => g.Key).Order(StringComparer.Ordinal).ToList();
        await using var first = await ReplayAsync(TimeSpan.FromMinutes(60), f => f.DuplicatePutRate(0.5));
        await using var second = await ReplayAsync(TimeSpan.FromMinutes(60), f => f.DuplicatePutRate(0.5));

        // 180 puts; a fair draw for each lands well inside 60..120 (beyond 4.4 standard deviations of 90 otherwise).
        var duplicated = Duplicated(first);
        Assert.InRange(duplicated.Count, 60, 120);
        Assert.Equal(180 + duplicated.Count, first.Readings.Count);
        Assert.Equal(duplicated, Duplicated(second));
        Assert.All(first.Readings.GroupBy(r => r), g => Assert.InRange(g.Count(), 1, 2));
    }

    [Fact]
    public async Task A_redelivered_batch_is_the_same_lines_again_in_a_second_object()
    {
        await using var replay = await ReplayAsync(TimeSpan.FromMinutes(30), f => f.Redeliver(1));

        // The first object written is London's: its buffer opened at 00:00:01 and was due at 00:01:01, after that
        // poll read 00:01's readings, so it holds London 00:00 and 00:01. It is written twice.
        var readings = replay.Readings;
        Assert.Equal(92, readings.Count);
        Assert.Equal(["London 00:00", "London 00:01"], readings.GroupBy(r => r).Where(g => g.Count() == 2).Select(g => g.Key).Order(StringComparer.Ordinal));
        var objects = replay.Lines.GroupBy(l => l.Key).Select(g => string.Join("\n", g.Select(l => l.Line))).ToList();
        Assert.Equal(1, objects.Count - objects.Distinct().Count());
        // The summary counts the lake's 92 records, the copies too, and says where the two more than were put came from.
        Assert.Equal("92 (2 more than put: the copies of the 2 records a retried delivery wrote twice)", replay.Report.DeliveredSummary);

        await replay.Session.CrawlAsync();
        Assert.Equal(92, await replay.ScalarAsync("SELECT COUNT(*) AS n FROM raw_weather_data"));
        await replay.Session.QueryAsync(CleanView);
        Assert.Equal(92, await replay.ScalarAsync("SELECT CAST(SUM(times_collected) AS BIGINT) AS n FROM clean_weather_data"));
        var distinct = replay.Lines.Select(l => LakeFiles.Parse(l.Line)).Select(j => $"{j.GetProperty("city")}|{j.GetProperty("measurement_time")}|{j.GetProperty("temperature")}").Distinct().Count();
        Assert.Equal(distinct, await replay.ScalarAsync("SELECT COUNT(*) AS n FROM clean_weather_data"));
    }

    [Fact]
    public async Task Throttled_minutes_are_missing_and_counted_in_WriteProvisionedThroughputExceeded()
    {
        await using var replay = await ReplayAsync(TimeSpan.FromMinutes(30), f => f.Throttle(new TimeOnly(0, 10), TimeSpan.FromMinutes(3)));

        // 00:10, 00:11 and 00:12 refused for 3 cities: 9 readings fewer, 9 refusals.
        var readings = replay.Readings;
        Assert.Equal(81, readings.Count);
        Assert.DoesNotContain(readings, r => r.EndsWith("00:10") || r.EndsWith("00:11") || r.EndsWith("00:12"));
        Assert.Contains("London 00:13", readings);
        Assert.Equal(9, await replay.MetricSumAsync("AWS/Kinesis", "WriteProvisionedThroughputExceeded"));
        Assert.Equal(81, await replay.MetricSumAsync("AWS/Kinesis", "IncomingRecords"));
        var log = await replay.LogAsync();
        Assert.Contains("Failed Edinburgh: Rate exceeded for shard shardId-000000000000", log);
    }

    [Fact]
    public async Task Timed_out_invocations_leave_a_gap_an_Errors_count_and_Lambdas_timeout_line()
    {
        await using var replay = await ReplayAsync(TimeSpan.FromMinutes(30), f => f.FailInvocations(new TimeOnly(0, 5), count: 2, timeout: true));

        var readings = replay.Readings;
        Assert.Equal(84, readings.Count);
        Assert.DoesNotContain(readings, r => r.EndsWith("00:05") || r.EndsWith("00:06"));
        Assert.Equal(2, await replay.MetricSumAsync("AWS/Lambda", "Errors"));
        Assert.Equal(30, await replay.MetricSumAsync("AWS/Lambda", "Invocations"));
        Assert.Equal(30_000, await replay.MetricSumAsync("AWS/Lambda", "Duration", "Maximum"));
        var log = await replay.LogAsync();
        Assert.Contains("2025-01-14T00:05:30.000Z", log);
        Assert.Equal(2, log.Split("Task timed out after 30.00 seconds").Length - 1);

        await replay.Session.CrawlAsync();
        Assert.Equal(84, await replay.ScalarAsync("SELECT COUNT(*) AS n FROM raw_weather_data"));
    }

    [Fact]
    public async Task A_failed_invocation_logs_the_error_and_puts_nothing_that_minute()
    {
        await using var replay = await ReplayAsync(TimeSpan.FromMinutes(10), f => f.FailInvocations(new TimeOnly(0, 3)));

        Assert.Equal(27, replay.Readings.Count);
        Assert.DoesNotContain(replay.Readings, r => r.EndsWith("00:03"));
        var log = await replay.LogAsync();
        Assert.Contains("ERROR Invoke Error {\"errorType\":\"HttpRequestException\"", log);
        Assert.Equal(1, await replay.MetricSumAsync("AWS/Lambda", "Errors"));
    }

    [Fact]
    public async Task A_consumer_stopped_for_an_hour_catches_up_with_nothing_lost()
    {
        await using var replay = await ReplayAsync(TimeSpan.FromHours(2), f => f.StopConsumer(new TimeOnly(0, 30), TimeSpan.FromHours(1)));

        // 120 minutes x 3 cities, every one delivered.
        Assert.Equal(360, replay.Readings.Distinct().Count());
        Assert.Equal(360, replay.Readings.Count);
        // No object is written while the consumer is stopped; the first after it holds readings an hour old.
        var written = (await replay.Session.Lake.ListObjectsV2Async(new StreamingWorkshop.Lake.ListObjectsRequest(replay.Session.Names.LakeBucket, Prefix: "weather-data/", MaxKeys: 1000))).Contents;
        Assert.DoesNotContain(written, o => o.LastModified > Start.AddMinutes(30).AddSeconds(1) && o.LastModified < Start.AddMinutes(90));
        Assert.True(await replay.MetricSumAsync("AWS/Firehose", "DeliveryToS3.DataFreshness", "Maximum") >= 3600);
        // A consumer that calls no GetRecords records no iterator age: the metric is missing for the stop, not high.
        var age = await replay.Session.Metrics.StatisticsAsync("AWS/Kinesis", "GetRecords.IteratorAgeMilliseconds", 60, "SampleCount", TimeSpan.FromHours(3));
        Assert.DoesNotContain(age.Datapoints, d => d.Timestamp >= Start.AddMinutes(31) && d.Timestamp < Start.AddMinutes(90));
        Assert.Contains(age.Datapoints, d => d.Timestamp == Start.AddMinutes(90));
        Assert.Contains(age.Datapoints, d => d.Timestamp == Start.AddMinutes(29));
    }

    [Fact]
    public async Task A_consumer_stopped_longer_than_retention_loses_what_expired()
    {
        // Stopped from 01:00 on the 14th to 02:00 on the 15th (25 h). When it reads again the trim horizon is
        // 02:00 on the 14th: the readings of 01:00..01:59 have expired, 60 minutes x 3 cities = 180 lost.
        await using var replay = await ReplayAsync(TimeSpan.FromHours(27), f => f.StopConsumer(new TimeOnly(1, 0), TimeSpan.FromHours(25)));

        var readings = replay.Lines.Select(l => LakeFiles.Parse(l.Line).GetProperty("collection_time").GetString()!).ToList();
        Assert.Equal(27 * 60 * 3 - 180, readings.Count);
        Assert.DoesNotContain(readings, r => string.CompareOrdinal(r, "2025-01-14T01:00") >= 0 && string.CompareOrdinal(r, "2025-01-14T02:00") < 0);
        Assert.Contains(readings, r => r.StartsWith("2025-01-14T00:59", StringComparison.Ordinal));
        Assert.Contains(readings, r => r.StartsWith("2025-01-14T02:00", StringComparison.Ordinal));
    }
}
