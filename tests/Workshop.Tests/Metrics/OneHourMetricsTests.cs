using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using StreamingWorkshop;
using StreamingWorkshop.Broker;
using StreamingWorkshop.Clock;
using StreamingWorkshop.Metrics;
using StreamingWorkshop.Storage;
using Workshop.Tests.TestSupport;
using Xunit.Abstractions;

namespace Workshop.Tests.Metrics;

/// <summary>
/// A scripted hour (deploy, then one simulated hour with seed 1): every metric the local services record is read
/// back through GetMetricStatistics and compared with a value worked out from what the pipeline left behind —
/// the stream's records, the lake's objects and lines, the producer's log — read straight from the workspace.
/// </summary>
public sealed class OneHourMetricsTests(OneHourFixture hour, ITestOutputHelper output) : IClassFixture<OneHourFixture>
{
    private static readonly DateTimeOffset Start = OneHourFixture.Start;
    private readonly WorkshopSession session = hour.Session;

    private async Task<MetricDatapoint?> WholeHour(string metricNamespace, string metricName, string statistic)
    {
        var metric = await session.Metrics.MetricAsync(metricNamespace, metricName);
        var result = await session.Stages.Metrics.GetMetricStatisticsAsync(new MetricStatisticsRequest(metric, Start, Start.AddHours(1).AddMinutes(1), 3660, [statistic]));
        return result.Datapoints.SingleOrDefault();
    }

    private async Task<double> Figure(string metricNamespace, string metricName, string statistic, double byHand, string how)
    {
        var datapoint = await WholeHour(metricNamespace, metricName, statistic);
        var value = datapoint?.Statistic(statistic) ?? double.NaN;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{metricNamespace,-12} {metricName,-36} {statistic,-11} metric {value,10:0.##}   by hand {byHand,10:0.##}   {how}"));
        return value;
    }

    [Fact]
    public async Task Kinesis_metrics_match_the_records_on_the_stream()
    {
        var records = await hour.StreamRecordsAsync();
        Assert.Equal(180, records.Count);

        Assert.Equal(records.Count, await Figure(MetricNames.Kinesis, "IncomingRecords", "Sum", records.Count, "records on the stream"));
        double bytes = records.Sum(r => r.Data.Length);
        Assert.Equal(bytes, await Figure(MetricNames.Kinesis, "IncomingBytes", "Sum", bytes, "sum of the records' data sizes"));
        // The delivery stream reads every record once.
        Assert.Equal(records.Count, await Figure(MetricNames.Kinesis, "GetRecords.Records", "Sum", records.Count, "every record read once by the delivery stream"));
        // Records are put on the minute and read one second later; reads with nothing new are at the tip (age 0).
        Assert.Equal(1000, await Figure(MetricNames.Kinesis, "GetRecords.IteratorAgeMilliseconds", "Maximum", 1000, "read 1 s after the put"));
        Assert.Equal(0, await Figure(MetricNames.Kinesis, "GetRecords.IteratorAgeMilliseconds", "Minimum", 0, "a read at the tip of the shard"));
        Assert.Equal(0, await Figure(MetricNames.Kinesis, "WriteProvisionedThroughputExceeded", "Sum", 0, "3 records a minute, far below 1,000 a second"));
        Assert.Equal(0, await Figure(MetricNames.Kinesis, "ReadProvisionedThroughputExceeded", "Sum", 0, "no read refused"));

        var units = await session.Stages.Metrics.GetMetricStatisticsAsync(new MetricStatisticsRequest(
            await session.Metrics.MetricAsync(MetricNames.Kinesis, "IncomingBytes"), Start, Start.AddHours(1), 3600, ["Sum"]));
        Assert.Equal("Bytes", units.Datapoints.Single().Unit);
    }

    [Fact]
    public async Task Firehose_metrics_match_the_objects_in_the_lake()
    {
        var objects = hour.LakeObjects();
        var lines = LakeFiles.Lines(hour.Workspace, session.Names.LakeBucket, "weather-data/").Count();
        Assert.Equal(180, lines);

        Assert.Equal(lines, await Figure(MetricNames.Firehose, "DeliveryToS3.Records", "Sum", lines, "lines in the lake's objects"));
        Assert.Equal(objects.Count, await Figure(MetricNames.Firehose, "DeliveryToS3.Success", "Sum", objects.Count, "objects in the lake"));
        Assert.Equal(1, await Figure(MetricNames.Firehose, "DeliveryToS3.Success", "Average", 1, "every put succeeded"));
        // An object's freshness is its write time less the arrival time Firehose names it by (the time in its key).
        var freshness = objects.Select(o => (o.Written - o.KeyTime).TotalSeconds).ToList();
        Assert.Equal(freshness.Max(), await Figure(MetricNames.Firehose, "DeliveryToS3.DataFreshness", "Maximum", freshness.Max(), "max of LastModified - key time"));
        Assert.Equal(freshness.Min(), await Figure(MetricNames.Firehose, "DeliveryToS3.DataFreshness", "Minimum", freshness.Min(), "min of LastModified - key time"));
        var partitions = objects.Select(o => o.Key[..o.Key.LastIndexOf('/')]).Distinct().Count();
        Assert.Equal(3, partitions);
        Assert.Equal(partitions, await Figure(MetricNames.Firehose, "PartitionCount", "Maximum", partitions, "location/year/month/day folders"));
        Assert.Equal(0, await Figure(MetricNames.Firehose, "PartitionCountExceeded", "Maximum", 0, "3 partitions, limit 500"));

        var freshnessUnit = await WholeHour(MetricNames.Firehose, "DeliveryToS3.DataFreshness", "Maximum");
        Assert.Equal("Seconds", freshnessUnit!.Unit);
    }

    [Fact]
    public async Task Lambda_metrics_match_the_producer_log()
    {
        var log = hour.ProducerLogText();
        var invocations = Regex.Matches(log, "START RequestId").Count;
        Assert.Equal(60, invocations);
        var durations = Regex.Matches(log, @"(?<!Billed )Duration: (?<ms>\d+\.\d\d) ms").Select(m => double.Parse(m.Groups["ms"].Value, CultureInfo.InvariantCulture)).ToList();

        Assert.Equal(invocations, await Figure(MetricNames.Lambda, "Invocations", "Sum", invocations, "START lines in the log"));
        Assert.Equal(0, await Figure(MetricNames.Lambda, "Errors", "Sum", 0, "no invocation failed"));
        Assert.Equal(0, await Figure(MetricNames.Lambda, "Throttles", "Sum", 0, "never throttled locally"));
        Assert.Equal(durations.Sum(), await Figure(MetricNames.Lambda, "Duration", "Sum", durations.Sum(), "sum of REPORT durations"), 6);
        Assert.Equal(durations.Max(), await Figure(MetricNames.Lambda, "Duration", "Maximum", durations.Max(), "largest REPORT duration"), 6);
        Assert.Equal("Milliseconds", (await WholeHour(MetricNames.Lambda, "Duration", "Maximum"))!.Unit);
    }

    [Fact]
    public async Task Five_minute_sums_follow_when_records_arrived()
    {
        var records = await hour.StreamRecordsAsync();
        var byHand = records.GroupBy(r => new DateTimeOffset(r.ApproximateArrivalTimestamp.UtcTicks - r.ApproximateArrivalTimestamp.UtcTicks % (5 * TimeSpan.TicksPerMinute), TimeSpan.Zero))
            .OrderBy(g => g.Key).Select(g => (g.Key, (double)g.Count())).ToList();

        var view = await session.Metrics.StatisticsAsync(MetricNames.Kinesis, "IncomingRecords", period: 300, statistic: "Sum", last: TimeSpan.FromHours(2));
        var fromStart = view.Datapoints.Where(d => d.Timestamp >= Start).Select(d => (d.Timestamp, d.Sum!.Value)).ToList();

        Assert.Equal(12, byHand.Count);
        Assert.Equal(byHand, fromStart);
        Assert.All(fromStart, p => Assert.Equal(15, p.Value));
        Assert.Contains("AWS/Kinesis IncomingRecords (StreamName=", view.ToString());
        Assert.Contains("Sum per 5 min", view.ToString());
    }
}

/// <summary>One simulated hour, shared by the tests that read its metrics.</summary>
public sealed class OneHourFixture : IAsyncLifetime
{
    public static readonly DateTimeOffset Start = new(2025, 1, 14, 0, 0, 0, TimeSpan.Zero);

    public string Workspace { get; } = Directory.CreateTempSubdirectory("workshop-metrics-hour-").FullName;
    public WorkshopSession Session { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Session = await StreamingWorkshop.Workshop.ConnectAsync(new WorkshopOptions { WorkspacePath = Workspace, Seed = 1 });
        await Session.SimulateAsync(TimeSpan.FromHours(1), Start);
    }

    /// <summary>Every record on the stream, read with a stream service that records no metrics of its own.</summary>
    public async Task<List<StreamRecord>> StreamRecordsAsync()
    {
        using var stream = new LocalStreamService(new WorkspaceDirectory(Workspace), new VirtualClock(Start.AddHours(1)));
        var records = new List<StreamRecord>();
        foreach (var shard in await stream.ListShardsAsync(Session.Names.StreamName))
        {
            var batch = await stream.GetRecordsAsync(await stream.GetShardIteratorAsync(Session.Names.StreamName, shard.ShardId, ShardIteratorType.TRIM_HORIZON));
            records.AddRange(batch.Records);
        }
        return records;
    }

    /// <summary>The lake's data objects with their write time and the time Firehose put in their names.</summary>
    public List<(string Key, DateTimeOffset Written, DateTimeOffset KeyTime)> LakeObjects()
    {
        var root = LakeFiles.BucketFolder(Workspace, Session.Names.LakeBucket);
        return Directory.EnumerateFiles(Path.Combine(root, "weather-data"), "*.gz", SearchOption.AllDirectories).Select(file =>
        {
            var key = Path.GetRelativePath(root, file).Replace('\\', '/');
            var stamp = Regex.Match(key, @"-(\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2})-[0-9a-f]{8}-").Groups[1].Value;
            var keyTime = DateTimeOffset.ParseExact(stamp, "yyyy-MM-dd-HH-mm-ss", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
            return (key, new DateTimeOffset(File.GetLastWriteTimeUtc(file), TimeSpan.Zero), keyTime);
        }).ToList();
    }

    public string ProducerLogText()
    {
        var text = new StringBuilder();
        foreach (var file in Directory.EnumerateFiles(Workspace, "*.log", SearchOption.AllDirectories).Where(f => f.Contains("lambda", StringComparison.Ordinal)))
            text.Append(File.ReadAllText(file));
        return text.ToString();
    }

    public async Task DisposeAsync()
    {
        await Session.DisposeAsync();
        Directory.Delete(Workspace, recursive: true);
    }
}
